package dev.tether.local.ssh;

import static dev.tether.local.ssh.SshTestSupport.run;
import static dev.tether.local.ssh.SshTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code StrictHostKeyChecking=no} may and may not weaken (docs/SECURITY.md), against the
 * in-process MINA sshd: a changed host key still allows public-key authentication, never a password
 * (OpenSSH's rule); and {@code -o} host-key options never reach the jump hosts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostKeyPolicyTest {
  private static final String PASSWORD = "letmein";
  private MinaSshServer server;
  private MinaSshServer jump;
  private Path tmp;
  private Path home;
  private Path knownHosts;

  @BeforeAll
  void startServers() {
    server = MinaSshServer.start(PASSWORD);
    jump = MinaSshServer.start();
    jump.authorize(server.clientKey());
  }

  @AfterAll
  void stopServers() {
    server.close();
    jump.close();
  }

  @BeforeEach
  void freshHome(@TempDir Path dir) {
    tmp = dir;
    home = SshTestSupport.newHome(dir);
    knownHosts = home.resolve(".ssh/known_hosts");
  }

  private SshDestination destination() {
    return new SshDestination(server.user(), server.host(), server.port());
  }

  /** known_hosts says the server has another key: what a man in the middle looks like. */
  private String impostorKnown() {
    Path other = TestKeys.generate(tmp, "old_host_key", "");
    String line = "[127.0.0.1]:" + server.port() + " " + TestKeys.publicLine(other) + "\n";
    write(knownHosts, line);
    return line;
  }

  @Test
  void aChangedKeyAcceptedWithNoCheckingRefusesPasswordLogin() throws Exception {
    String known = impostorKnown();
    SshTestSupport.ScriptedPrompter prompter = new SshTestSupport.ScriptedPrompter(PASSWORD);
    Path stranger = TestKeys.generate(tmp, "stranger", ""); // a key the server does not know: password only
    SshFailure f = assertThrows(SshFailure.class, () -> new SshConnector(SshEnvironment.of(home, Map.of()), prompter)
        .connect(destination(), SshOptions.builder().identity(stranger).option("StrictHostKeyChecking=no").build()));
    assertEquals(SshFailure.Kind.AUTH_FAILED, f.kind(), f.getMessage());
    assertTrue(f.getMessage().contains("password and keyboard-interactive authentication were disabled"), f.getMessage());
    assertEquals(List.of(), prompter.prompts(), "nobody may be asked for a password");
    assertEquals(1, prompter.warnings().size(), prompter.warnings().toString());
    assertTrue(prompter.warnings().get(0).contains("host key of [127.0.0.1]:" + server.port() + " has changed"),
        prompter.warnings().toString());
    assertEquals(known, Files.readString(knownHosts), "the trusted key is never replaced");
  }

  @Test
  void aChangedKeyAcceptedWithNoCheckingStillAllowsPublicKeyLogin() {
    impostorKnown();
    SshTestSupport.ScriptedPrompter prompter = new SshTestSupport.ScriptedPrompter(PASSWORD);
    try (SshConnection c = new SshConnector(SshEnvironment.of(home, Map.of()), prompter).connect(destination(),
        SshOptions.builder().identity(server.clientKey()).option("StrictHostKeyChecking=no").build())) {
      assertEquals("ok\n", run(c, "echo ok").stdout());
    }
    assertEquals(1, prompter.warnings().size(), prompter.warnings().toString());
  }

  @Test
  void anUnknownKeyWithNoCheckingStillAllowsPasswordsAsInOpenSsh() {
    SshTestSupport.ScriptedPrompter prompter = new SshTestSupport.ScriptedPrompter(PASSWORD);
    try (SshConnection c = new SshConnector(SshEnvironment.of(home, Map.of()), prompter).connect(destination(),
        SshOptions.builder().identity(TestKeys.generate(tmp, "stranger", "")).option("StrictHostKeyChecking=no").build())) {
      assertEquals("ok\n", run(c, "echo ok").stdout());
    }
    assertEquals(List.of(), prompter.warnings());
  }

  @Test
  void commandLineHostKeyOptionsDoNotReachTheJumpHost() {
    // The destination is known; the jump host is not. -o StrictHostKeyChecking=no is for the destination.
    write(knownHosts, server.knownHostsLine() + "\n");
    SshOptions o = SshOptions.builder().identity(server.clientKey())
        .jump(jump.user() + "@127.0.0.1:" + jump.port()).option("StrictHostKeyChecking=no").build();
    SshFailure f = assertThrows(SshFailure.class, () -> new SshConnector(SshEnvironment.of(home, Map.of()),
        Prompter.unavailable()).connect(destination(), o));
    assertEquals(SshFailure.Kind.UNKNOWN_HOST_KEY, f.kind(), f.getMessage());
    assertTrue(f.getMessage().contains("[127.0.0.1]:" + jump.port()), f.getMessage());
    // and the same -o still applies to the destination behind a trusted jump host
    write(knownHosts, jump.knownHostsLine() + "\n");
    try (SshConnection c = new SshConnector(SshEnvironment.of(home, Map.of()), Prompter.unavailable()).connect(destination(), o)) {
      assertEquals("ok\n", run(c, "echo ok").stdout());
    }
  }
}
