package dev.tether.conformance.transport;

import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.RemoteProcess;
import dev.tether.local.ssh.SshConnection;
import dev.tether.local.ssh.SshConnector;
import dev.tether.local.ssh.SshDestination;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.local.ssh.SshOptions;
import dev.tether.local.ssh.SshServerFixture;
import dev.tether.local.ssh.Prompter;
import dev.tether.mux.testing.TransportFactory;
import dev.tether.mux.transport.StreamTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;

/**
 * Sessions whose bytes cross a real SSH connection: the initiator's transport is an SSH exec channel
 * running a relay ({@code bash}'s /dev/tcp) to an acceptor listening on 127.0.0.1. A cut closes the
 * SSH connection abruptly. Run against MINA SSHD in-process and against OpenSSH's sshd.
 */
class SshTransportConformanceTest {
  private static final String RELAY = "exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d; cat <&3 & exec cat >&3'";

  static TransportFactory over(SshServerFixture server) throws IOException {
    Path home = Files.createTempDirectory("ssh-conformance-home");
    ServerSocket acceptor = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    SshConnector connector = new SshConnector(SshEnvironment.of(home, Map.of()), Prompter.unavailable());
    SshOptions options = SshOptions.builder()
        .identity(server.clientKey())
        .port(server.port())
        .option("UserKnownHostsFile", home.resolve("known_hosts").toString())
        .option("StrictHostKeyChecking", "accept-new")
        .build();
    SshDestination destination = SshDestination.parse(System.getProperty("user.name") + "@127.0.0.1");
    List<AutoCloseable> opened = new ArrayList<>();
    return new TransportFactory() {
      @Override
      public Connection connect() throws IOException {
        SshConnection ssh = connector.connect(destination, options);
        RemoteProcess relay = ssh.exec(String.format(RELAY, acceptor.getLocalPort()));
        Socket accepted = acceptor.accept();
        synchronized (opened) {
          opened.add(ssh);
          opened.add(accepted);
        }
        StreamTransport initiator = new StreamTransport(relay.stdout(), relay.stdin(), relay,
            "ssh " + destination + " relay");
        return new Connection(initiator, StreamTransport.of(accepted), () -> {
          ssh.close();
          try {
            accepted.setSoLinger(true, 0);
            accepted.close();
          } catch (IOException ignored) {
            // already gone
          }
        });
      }

      @Override
      public void close() throws Exception {
        synchronized (opened) {
          for (AutoCloseable closeable : opened) {
            closeable.close();
          }
        }
        acceptor.close();
        server.close();
      }
    };
  }

  @Nested
  class OverMinaSshd extends TransportConformanceTest {
    @Override
    protected TransportFactory newFactory() throws IOException {
      return over(MinaSshServer.start());
    }
  }

  @Nested
  class OverOpenSsh extends TransportConformanceTest {
    @Override
    protected TransportFactory newFactory() throws IOException {
      return over(OpenSshServer.start());
    }

    @Override
    protected int resumeCuts() {
      return 5; // each cut costs a fresh OpenSSH handshake
    }
  }
}
