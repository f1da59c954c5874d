package dev.tether.local.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures before any SSH server is involved: nothing listening, or a peer that never speaks. */
class SshConnectorFailureTest {
  @Test
  void closedPortIsReportedWithHostPortAndCause(@TempDir Path tmp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    int closedPort = port;
    SshConnector connector = new SshConnector(SshEnvironment.of(SshTestSupport.newHome(tmp), Map.of()), Prompter.unavailable());
    SshFailure f = assertThrows(SshFailure.class,
        () -> connector.connect(SshDestination.parse("127.0.0.1:" + closedPort), SshOptions.none()));
    assertEquals(SshFailure.Kind.UNREACHABLE, f.kind());
    assertTrue(f.getMessage().contains("127.0.0.1:" + closedPort), f.getMessage());
    assertTrue(f.getMessage().contains("connection refused"), f.getMessage());
    assertTrue(f.getMessage().contains("check the host and port"), f.getMessage());
    assertEquals(255, f.exitCode());
  }

  @Test
  void unresolvableHostNameIsReportedWithTheAlias(@TempDir Path tmp) {
    // Mapping only: a real DNS lookup would leave the machine, so feed the resolver's exception directly.
    SshConnector connector = new SshConnector(SshEnvironment.of(SshTestSupport.newHome(tmp), Map.of()), Prompter.unavailable());
    SshTarget target = connector.resolve(SshDestination.parse("box"), SshOptions.builder().option("HostName=no-such-host.invalid").build());
    SshFailure f = dev.tether.local.ssh.internal.Failures.connectFailed(
        new dev.tether.local.ssh.internal.HopAttempt(target, null), new java.net.UnknownHostException("no-such-host.invalid"));
    assertEquals(SshFailure.Kind.UNREACHABLE, f.kind());
    assertEquals("cannot resolve host name 'no-such-host.invalid' (host 'box'): check the host name, or your ssh_config",
        f.getMessage());
  }

  @Test
  void silentPeerTimesOutAfterConnectTimeout(@TempDir Path tmp) throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
      CopyOnWriteArrayList<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // accept, then say nothing
          }
        } catch (Exception e) {
          // socket closed at the end of the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      SshConnector connector = new SshConnector(SshEnvironment.of(SshTestSupport.newHome(tmp), Map.of()), Prompter.unavailable());
      long start = System.nanoTime();
      SshFailure f = assertThrows(SshFailure.class, () -> connector.connect(
          SshDestination.parse("127.0.0.1:" + silent.getLocalPort()),
          SshOptions.builder().option("ConnectTimeout=1").build()));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(SshFailure.Kind.TIMEOUT, f.kind(), f.getMessage());
      assertTrue(f.getMessage().contains("127.0.0.1:" + silent.getLocalPort()), f.getMessage());
      assertTrue(f.getMessage().contains("ConnectTimeout"), f.getMessage());
      assertTrue(millis < 10_000, "took " + millis + " ms");
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
