package dev.tether.local.ssh;

import static dev.tether.local.ssh.SshTestSupport.run;
import static dev.tether.local.ssh.SshTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** ProxyJump through MINA servers to the OpenSSH server, with host keys checked under the real names. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyJumpTest {
  private OpenSshServer target;
  private MinaSshServer jump1;
  private MinaSshServer jump2;
  private Path home;
  private SshConnector connector;

  @BeforeAll
  void startServers() {
    target = OpenSshServer.start();
    jump1 = MinaSshServer.start();
    jump2 = MinaSshServer.start();
    // One key for every hop, like a user with one id_ecdsa.
    jump1.authorize(target.clientKey());
    jump2.authorize(target.clientKey());
  }

  @AfterAll
  void stopServers() {
    for (SshServerFixture s : new SshServerFixture[] {target, jump1, jump2}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @BeforeEach
  void freshHome(@TempDir Path tmp) {
    home = SshTestSupport.newHome(tmp);
    connector = new SshConnector(SshEnvironment.of(home, Map.of()), Prompter.unavailable());
    write(home.resolve(".ssh/known_hosts"),
        target.knownHostsLine() + "\n" + jump1.knownHostsLine() + "\n" + jump2.knownHostsLine() + "\n");
  }

  private String hop(SshServerFixture s) {
    return s.user() + "@127.0.0.1:" + s.port();
  }

  @Test
  void oneJumpReachesTheTargetOverOneTcpConnectionToTheJumpHost() {
    int jumpBefore = jump1.acceptedConnections();
    int targetBefore = target.acceptedConnections();
    SshOptions o = SshOptions.builder().identity(target.clientKey()).jump(hop(jump1)).build();
    try (SshConnection c = connector.connect(SshDestination.parse(hop(target)), o)) {
      SshTestSupport.Result r = run(c, "echo via-jump; echo $SSH_CONNECTION");
      assertTrue(r.stdout().startsWith("via-jump\n127.0.0.1 "), r.stdout());
      assertEquals(jump1.port(), c.remoteAddress().getPort(), "the only socket goes to the jump host");
    }
    assertEquals(jumpBefore + 1, jump1.acceptedConnections());
    assertEquals(targetBefore + 1, target.acceptedConnections());
  }

  @Test
  void twoJumpsFromSshConfig() {
    write(home.resolve(".ssh/config"), String.join("\n",
        "Host j1", "  HostName 127.0.0.1", "  Port " + jump1.port(), "  User " + jump1.user(),
        "Host j2", "  HostName 127.0.0.1", "  Port " + jump2.port(), "  User " + jump2.user(),
        "Host box", "  HostName 127.0.0.1", "  Port " + target.port(), "  User " + target.user(),
        "  ProxyJump j1,j2",
        "Host *", "  IdentityFile " + target.clientKey(), ""));
    try (SshConnection c = connector.connect(SshDestination.parse("box"), SshOptions.none())) {
      assertEquals(2, c.target().jumps().size());
      assertEquals("hi\n", run(c, "echo hi").stdout());
    }
  }

  @Test
  void targetHostKeyIsCheckedUnderItsOwnNameNotTheForwardingPort() {
    write(home.resolve(".ssh/known_hosts"), jump1.knownHostsLine() + "\n"); // target unknown
    SshOptions o = SshOptions.builder().identity(target.clientKey()).jump(hop(jump1)).build();
    SshFailure f = assertThrows(SshFailure.class, () -> connector.connect(SshDestination.parse(hop(target)), o));
    assertEquals(SshFailure.Kind.UNKNOWN_HOST_KEY, f.kind());
    assertTrue(f.getMessage().contains("[127.0.0.1]:" + target.port()), f.getMessage());
  }

  @Test
  void unreachableTargetBehindJumpIsReported() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    SshOptions o = SshOptions.builder().identity(target.clientKey()).jump(hop(jump1)).build();
    SshFailure f = assertThrows(SshFailure.class, () -> connector.connect(SshDestination.parse("127.0.0.1:" + closed), o));
    assertEquals(SshFailure.Kind.UNREACHABLE, f.kind(), f.getMessage());
    assertTrue(f.getMessage().contains("127.0.0.1:" + closed), f.getMessage());
    assertTrue(f.getMessage().contains("jump host 127.0.0.1:" + jump1.port()), f.getMessage());
  }
}
