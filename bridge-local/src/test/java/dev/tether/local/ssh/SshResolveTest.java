package dev.tether.local.ssh;

import static dev.tether.local.ssh.SshTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssh_config and command-line precedence, without connecting anywhere. */
class SshResolveTest {
  private Path home;
  private SshConnector connector;

  @BeforeEach
  void setUp(@TempDir Path tmp) {
    home = SshTestSupport.newHome(tmp);
    connector = new SshConnector(SshEnvironment.of(home, Map.of()).withLocalUser("localme"), Prompter.unavailable());
    write(home.resolve(".ssh/config"), String.join("\n",
        "Host web",
        "  HostName 10.0.0.5",
        "  User alice",
        "  Port 2200",
        "  IdentityFile ~/.ssh/web_key",
        "  IdentityFile %d/keys/%r_key",
        "  ProxyJump bastion",
        "  StrictHostKeyChecking accept-new",
        "  UserKnownHostsFile ~/.ssh/web_known_hosts",
        "",
        "Host bastion",
        "  HostName 10.0.0.1",
        "  User jumper",
        "  Port 2022",
        "",
        "Host *.corp",
        "  User corpuser",
        "  ConnectTimeout 7",
        "  HashKnownHosts yes",
        ""));
  }

  private SshTarget resolve(String destination, SshOptions options) {
    return connector.resolve(SshDestination.parse(destination), options);
  }

  @Test
  void aliasTakesHostNameUserPortIdentitiesAndPolicyFromConfig() {
    SshTarget t = resolve("web", SshOptions.none());
    assertEquals("web", t.alias());
    assertEquals("10.0.0.5", t.hostName());
    assertEquals(2200, t.port());
    assertEquals("alice", t.user());
    assertEquals(List.of(home.resolve(".ssh/web_key"), home.resolve("keys/alice_key")), t.identities());
    assertFalse(t.defaultIdentities());
    assertEquals(HostKeyChecking.ACCEPT_NEW, t.hostKeyChecking());
    assertEquals(home.resolve(".ssh/web_known_hosts"), t.knownHostsFile());
    assertEquals("[10.0.0.5]:2200", t.knownHostsPattern());
  }

  @Test
  void proxyJumpFromConfigIsResolvedThroughConfigToo() {
    SshTarget t = resolve("web", SshOptions.none());
    assertEquals(1, t.jumps().size());
    SshTarget jump = t.jumps().get(0);
    assertEquals("jumper@10.0.0.1:2022", jump.display());
    assertTrue(jump.jumps().isEmpty());
  }

  @Test
  void commandLineWinsOverConfig() {
    SshOptions o = SshOptions.builder().identity(Path.of("~/cli_key")).option("StrictHostKeyChecking=yes")
        .option("HostName=10.9.9.9").option("UserKnownHostsFile=/tmp/kh").jump("other@10.0.0.2:22").build();
    SshTarget t = resolve("bob@web:2300", o);
    assertEquals("bob@10.9.9.9:2300", t.display());
    assertEquals(home.resolve("cli_key"), t.identities().get(0));
    assertEquals(home.resolve("keys/bob_key"), t.identities().get(2), "%r expands to the effective user");
    assertEquals(HostKeyChecking.STRICT, t.hostKeyChecking());
    assertEquals(Path.of("/tmp/kh"), t.knownHostsFile());
    assertEquals("other@10.0.0.2:22", t.jumps().get(0).display());
  }

  @Test
  void dashOUserAndPortApplyWhenTheDestinationHasNone() {
    SshTarget t = resolve("web", SshOptions.builder().option("User=carol").port(2400).build());
    assertEquals("carol@10.0.0.5:2400", t.display());
  }

  @Test
  void wildcardPatternsApply() {
    SshTarget t = resolve("db.corp", SshOptions.none());
    assertEquals("corpuser@db.corp:22", t.display());
    assertEquals(Duration.ofSeconds(7), t.connectTimeout());
    assertTrue(t.hashKnownHosts());
  }

  @Test
  void unmatchedHostGetsOpenSshDefaults() {
    SshTarget t = resolve("plain.example", SshOptions.none());
    assertEquals("localme@plain.example:22", t.display());
    assertTrue(t.defaultIdentities());
    assertEquals(List.of(home.resolve(".ssh/id_ed25519"), home.resolve(".ssh/id_ecdsa"), home.resolve(".ssh/id_rsa")),
        t.identities());
    assertEquals(HostKeyChecking.STRICT, t.hostKeyChecking());
    assertEquals(home.resolve(".ssh/known_hosts"), t.knownHostsFile());
    assertFalse(t.batchMode());
    assertNull(t.hostKeyAlias());
    assertTrue(t.jumps().isEmpty());
  }

  @Test
  void dashFReplacesTheUserConfig(@TempDir Path other) {
    Path config = other.resolve("cfg");
    write(config, "Host web\n  HostName 192.0.2.1\n");
    SshTarget t = resolve("web", SshOptions.builder().configFile(config).build());
    assertEquals("localme@192.0.2.1:22", t.display());
    assertTrue(t.jumps().isEmpty(), "~/.ssh/config must not be read with -F");
  }

  @Test
  void missingDashFFileIsAConfigError(@TempDir Path other) {
    SshFailure f = assertThrows(SshFailure.class,
        () -> resolve("web", SshOptions.builder().configFile(other.resolve("missing")).build()));
    assertEquals(SshFailure.Kind.CONFIG, f.kind());
    assertTrue(f.getMessage().contains("missing"), f.getMessage());
  }

  @Test
  void jumpNoneDisablesConfiguredProxyJump() {
    assertTrue(resolve("web", SshOptions.builder().jump("none").build()).jumps().isEmpty());
  }
}
