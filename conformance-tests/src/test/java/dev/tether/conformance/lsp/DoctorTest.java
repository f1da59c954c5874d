package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.Version;
import dev.tether.local.ssh.EmbeddedSshServer;
import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code tether doctor}: the real CLI against a real SSH server (MINA, in this JVM) and a closed port. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DoctorTest {
  Path base;
  Path clientKey;
  TetherCli tether;

  @BeforeAll
  void setUp() throws IOException {
    Requirements.languageServers();
    base = Files.createTempDirectory("tether-doctor-");
    clientKey = TestKeys.generate(base, "client_key", "");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterAll
  void tearDown() {
    try {
      tether.close();
    } finally {
      Projects.deleteTree(base);
    }
  }

  private List<String> doctor(int port) {
    return new ArrayList<>(List.of("doctor", System.getProperty("user.name") + "@127.0.0.1", "-p", Integer.toString(port),
        "-i", clientKey.toString(), "-o", "UserKnownHostsFile=" + base.resolve("known_hosts"),
        "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes"));
  }

  @Test
  void aUsableHostIsReportedWithItsAgentAndServers() throws IOException {
    Path home = Files.createDirectories(base.resolve("home"));
    try (EmbeddedSshServer host = EmbeddedSshServer.builder().home(home).authorizedKey(TestKeys.publicKey(clientKey)).start()) {
      TetherCli.Result result = tether.run(doctor(host.port()).toArray(String[]::new));
      assertEquals(0, result.exit(), result.toString());
      List<String> lines = result.stdout().lines().toList();
      assertTrue(lines.stream().anyMatch(l -> l.matches("connection\\s+ok\\s+.*")), result.stdout());
      assertTrue(lines.stream().anyMatch(l -> l.matches("agent\\s+ok\\s+tether-remote " + java.util.regex.Pattern.quote(Version.current()) + " .*")),
          result.stdout());
      assertTrue(lines.stream().anyMatch(l -> l.matches("host user\\s+ok\\s+.*home " + java.util.regex.Pattern.quote(home.toString()) + ",.*")),
          "the agent runs with the host user's home: " + result.stdout());
      assertTrue(lines.stream().anyMatch(l -> l.matches("agent route\\s+ok\\s+relay: tether-remote stdio --daemon on the host, "
          + "because the SSH server does not know direct-streamlocal@openssh.com .*")),
          "MINA's server has no stream-local channel: " + result.stdout());
      assertTrue(lines.stream().anyMatch(l -> l.matches("language server\\s+ok\\s+pylsp: pylsp \\(/usr/bin/pylsp\\)")), result.stdout());
      assertTrue(lines.stream().anyMatch(l -> l.matches("language server\\s+ok\\s+clangd: clangd \\(/usr/bin/clangd\\)")), result.stdout());
      tether.stopDaemon(); // ends the session before the host goes
    }
  }

  @Test
  void overOpenSshTheRouteIsStraightToTheAgentDaemonsSocket() {
    try (OpenSshServer host = OpenSshServer.start()) {
      host.authorize(clientKey);
      TetherCli.Result result = tether.run(doctor(host.port()).toArray(String[]::new));
      assertEquals(0, result.exit(), result.toString());
      assertTrue(result.stdout().lines().anyMatch(l -> l.matches(
          "agent route\\s+ok\\s+direct: direct-streamlocal@openssh.com to /\\S+/\\.tether/run/tether-remote-\\w{12}\\.sock,"
          + " no relay process on the host")), result.stdout());
      tether.stopDaemon();
    }
  }

  @Test
  void anUnreachableHostFailsWithOneClearLine() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = probe.getLocalPort();
    }
    TetherCli.Result result = tether.run(doctor(closedPort).toArray(String[]::new));
    assertNotEquals(0, result.exit(), result.toString());
    assertTrue(result.stdout().lines().anyMatch(l -> l.matches("connection\\s+FAILED\\s+.*refused.*")), result.toString());
    List<String> errors = result.stderr().lines().filter(l -> !l.startsWith("tether: connecting")).toList();
    assertEquals(1, errors.size(), "one error line: " + result.stderr());
    assertTrue(errors.get(0).startsWith("tether: cannot use ") && errors.get(0).contains(Integer.toString(closedPort)), result.stderr());
  }
}
