package dev.tether.local.ssh;

import static dev.tether.local.ssh.SshTestSupport.copyKey;
import static dev.tether.local.ssh.SshTestSupport.run;
import static dev.tether.local.ssh.SshTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every SSH server must see from {@link SshConnector}; each server kind subclasses it
 * (the in-process MINA server and Debian's OpenSSH), so both are proven by the same tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SshConnectorContract {
  protected SshServerFixture server;
  protected Path tmp;
  protected Path home;
  protected Path knownHosts;

  /** Starts the server under test; called once per class. */
  protected abstract SshServerFixture startServer();

  @BeforeAll
  void startFixture() {
    server = startServer();
  }

  @AfterAll
  void stopFixture() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void freshHome(@TempDir Path dir) {
    tmp = dir;
    home = SshTestSupport.newHome(dir);
    knownHosts = home.resolve(".ssh/known_hosts");
  }

  protected SshConnector connector(Prompter prompter) {
    return new SshConnector(SshEnvironment.of(home, Map.of()), prompter);
  }

  protected SshConnector connector() {
    return connector(Prompter.unavailable());
  }

  protected SshDestination destination() {
    return new SshDestination(server.user(), server.host(), server.port());
  }

  protected SshOptions.Builder options(Path key) {
    return SshOptions.builder().identity(key);
  }

  protected void trustServer() {
    write(knownHosts, server.knownHostsLine() + "\n");
  }

  protected SshConnection connectTrusted() {
    trustServer();
    return connector().connect(destination(), options(server.clientKey()).build());
  }

  @Test
  void execSeparatesStdoutStderrAndExitStatus() {
    try (SshConnection c = connectTrusted()) {
      SshTestSupport.Result r = run(c, "echo hi; echo err >&2; exit 3");
      assertEquals("hi\n", r.stdout());
      assertEquals("err\n", r.stderr());
      assertEquals(3, r.exit());
    }
  }

  @Test
  void execDeliversStdinAndEof() {
    try (SshConnection c = connectTrusted()) {
      SshTestSupport.Result r = run(c, "cat; echo done", "line one\nline two\n");
      assertEquals("line one\nline two\ndone\n", r.stdout());
      assertEquals(0, r.exit());
    }
  }

  @Test
  void uploadCreatesParentDirectoriesAndKeepsContentAndMode() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(42).nextBytes(data);
    Path local = tmp.resolve("payload.bin");
    Files.write(local, data);
    String remote = tmp.resolve("remote/a/b/payload.bin").toString();
    try (SshConnection c = connectTrusted()) {
      c.upload(local, remote, 0750);
      SshTestSupport.Result r = run(c, "sha256sum " + remote + " | cut -d' ' -f1; stat -c %a " + remote);
      String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
      assertEquals(expected + "\n750\n", r.stdout(), r.stderr());
    }
  }

  @Test
  void onlyOneTcpConnectionCarriesExecAndUpload() throws IOException {
    Path local = tmp.resolve("small.txt");
    Files.writeString(local, "x");
    int before = server.acceptedConnections();
    try (SshConnection c = connectTrusted()) {
      run(c, "true");
      run(c, "true");
      c.upload(local, tmp.resolve("small-copy.txt").toString(), 0644);
      assertEquals("127.0.0.1", c.remoteAddress().getAddress().getHostAddress());
      assertEquals(server.port(), c.remoteAddress().getPort());
    }
    assertEquals(before + 1, server.acceptedConnections());
  }

  @Test
  void unknownHostKeyIsRefusedByDefaultWithFingerprintAndRemedy() {
    SshFailure f = assertThrows(SshFailure.class,
        () -> connector().connect(destination(), options(server.clientKey()).build()));
    assertEquals(SshFailure.Kind.UNKNOWN_HOST_KEY, f.kind());
    String m = f.getMessage();
    assertTrue(m.contains("SHA256:"), m);
    assertTrue(m.contains("ecdsa-sha2-nistp256"), m);
    assertTrue(m.contains(knownHosts.toString()), m);
    assertTrue(m.contains("ssh-keyscan -p " + server.port() + " 127.0.0.1 >> " + knownHosts), m);
    assertTrue(m.contains("StrictHostKeyChecking=accept-new"), m);
    assertFalse(Files.exists(knownHosts), "strict checking must not write known_hosts");
    assertOneLine(m);
  }

  @Test
  void acceptNewRecordsTheKeyAndTheNextStrictConnectSucceeds() throws IOException {
    Path custom = tmp.resolve("elsewhere/known_hosts");
    SshOptions acceptNew = options(server.clientKey()).option("StrictHostKeyChecking=accept-new")
        .option("UserKnownHostsFile=" + custom).build();
    try (SshConnection c = connector().connect(destination(), acceptNew)) {
      assertEquals(0, run(c, "true").exit());
    }
    String recorded = Files.readString(custom);
    assertTrue(recorded.contains("[127.0.0.1]:" + server.port() + " ecdsa-sha2-nistp256 "), recorded);
    SshOptions strict = options(server.clientKey()).option("UserKnownHostsFile", custom.toString()).build();
    try (SshConnection c = connector().connect(destination(), strict)) {
      assertEquals("ok\n", run(c, "echo ok").stdout());
    }
  }

  @Test
  void changedHostKeyIsRefusedLoudlyEvenWithAcceptNew() {
    Path other = TestKeys.generate(tmp, "impostor", "");
    write(knownHosts, "# first line is a comment\n[127.0.0.1]:" + server.port() + " " + TestKeys.publicLine(other) + "\n");
    for (String policy : List.of("yes", "accept-new")) {
      SshFailure f = assertThrows(SshFailure.class, () -> connector().connect(destination(),
          options(server.clientKey()).option("StrictHostKeyChecking", policy).build()));
      assertEquals(SshFailure.Kind.CHANGED_HOST_KEY, f.kind());
      String m = f.getMessage();
      assertTrue(m.contains("REMOTE HOST KEY HAS CHANGED"), m);
      assertTrue(m.contains("man-in-the-middle"), m);
      assertTrue(m.contains(knownHosts + " line 2"), m);
      assertTrue(m.contains("ssh-keygen -R \"[127.0.0.1]:" + server.port() + "\" -f " + knownHosts), m);
      assertOneLine(m);
    }
  }

  @Test
  void strictHostKeyCheckingNoAcceptsAnyKeyAndWritesNothing() {
    SshOptions off = options(server.clientKey()).option("StrictHostKeyChecking=no").build();
    try (SshConnection c = connector().connect(destination(), off)) {
      assertEquals(0, run(c, "true").exit());
    }
    assertFalse(Files.exists(knownHosts));
    Path stranger = TestKeys.generate(tmp, "stranger", "");
    SshFailure f = assertThrows(SshFailure.class, () -> connector().connect(destination(),
        options(stranger).option("StrictHostKeyChecking=no").build()));
    assertEquals(SshFailure.Kind.AUTH_FAILED, f.kind(), f.getMessage());
  }

  @Test
  void hashedKnownHostsEntryIsHonoured() throws IOException {
    trustServer();
    TestProcesses.run(List.of(TestKeys.SSH_KEYGEN, "-H", "-f", knownHosts.toString()));
    assertFalse(Files.readString(knownHosts).contains("127.0.0.1"), "entry should be hashed");
    try (SshConnection c = connector().connect(destination(), options(server.clientKey()).build())) {
      assertEquals(0, run(c, "true").exit());
    }
  }

  @Test
  void wrongKeyFailsWithUserMethodAndKeyFile() {
    trustServer();
    Path stranger = TestKeys.generate(tmp, "stranger", "");
    SshFailure f = assertThrows(SshFailure.class,
        () -> connector().connect(destination(), options(stranger).build()));
    assertEquals(SshFailure.Kind.AUTH_FAILED, f.kind());
    String m = f.getMessage();
    assertTrue(m.contains(server.user() + "@127.0.0.1:" + server.port()), m);
    assertTrue(m.contains("publickey"), m);
    assertTrue(m.contains(stranger.toString()), m);
    assertOneLine(m);
  }

  @Test
  void passphraseProtectedKeyWorksThroughPrompter() {
    trustServer();
    Path key = TestKeys.generate(tmp, "locked", "open sesame");
    server.authorize(key);
    SshTestSupport.ScriptedPrompter prompter = new SshTestSupport.ScriptedPrompter("open sesame");
    try (SshConnection c = connector(prompter).connect(destination(), options(key).build())) {
      assertEquals(0, run(c, "true").exit());
    }
    assertEquals(List.of("Enter passphrase for key '" + key + "': "), prompter.prompts());
  }

  @Test
  void passphraseProtectedKeyWorksThroughSshAskpass() throws IOException {
    trustServer();
    Path key = TestKeys.generate(tmp, "locked", "open sesame");
    server.authorize(key);
    Path asked = tmp.resolve("asked.txt");
    Path askpass = SshTestSupport.script(tmp.resolve("askpass.sh"),
        "printf '%s\\n' \"$1\" >> " + asked + "\necho 'open sesame'");
    SshEnvironment env = SshEnvironment.of(home, Map.of("SSH_ASKPASS", askpass.toString()));
    SshConnector connector = new SshConnector(env, Prompter.forEnvironment(env));
    try (SshConnection c = connector.connect(destination(), options(key).build())) {
      assertEquals(0, run(c, "true").exit());
    }
    assertEquals("Enter passphrase for key '" + key + "': \n", Files.readString(asked));
  }

  @Test
  void wrongPassphraseIsReportedAfterThreeAttempts() {
    trustServer();
    Path key = TestKeys.generate(tmp, "locked", "open sesame");
    server.authorize(key);
    SshTestSupport.ScriptedPrompter prompter = new SshTestSupport.ScriptedPrompter("guess");
    SshFailure f = assertThrows(SshFailure.class,
        () -> connector(prompter).connect(destination(), options(key).build()));
    assertEquals(SshFailure.Kind.BAD_PASSPHRASE, f.kind());
    assertTrue(f.getMessage().contains("wrong passphrase for key " + key), f.getMessage());
    assertEquals(3, prompter.prompts().size());
  }

  @Test
  void encryptedKeyWithoutAnyPrompterSaysHowToFixIt() {
    trustServer();
    Path key = TestKeys.generate(tmp, "locked", "open sesame");
    server.authorize(key);
    SshFailure f = assertThrows(SshFailure.class,
        () -> connector(Prompter.forEnvironment(SshEnvironment.of(home, Map.of())))
            .connect(destination(), options(key).build()));
    assertEquals(SshFailure.Kind.NO_PROMPTER, f.kind());
    assertTrue(f.getMessage().contains("set SSH_ASKPASS"), f.getMessage());
    assertTrue(f.getMessage().contains("unencrypted key or ssh-agent"), f.getMessage());
  }

  @Test
  void batchModeNeverPrompts() {
    trustServer();
    Path key = TestKeys.generate(tmp, "locked", "open sesame");
    server.authorize(key);
    SshTestSupport.ScriptedPrompter prompter = new SshTestSupport.ScriptedPrompter("open sesame");
    SshFailure f = assertThrows(SshFailure.class, () -> connector(prompter)
        .connect(destination(), options(key).option("BatchMode=yes").build()));
    assertEquals(SshFailure.Kind.NO_PROMPTER, f.kind());
    assertTrue(f.getMessage().contains("BatchMode=yes"), f.getMessage());
    assertTrue(prompter.prompts().isEmpty());
  }

  @Test
  void sshConfigAliasSuppliesHostNameUserPortAndIdentity() {
    trustServer();
    copyKey(server.clientKey(), home.resolve(".ssh/fixture_key"));
    write(home.resolve(".ssh/config"), String.join("\n",
        "Host devbox",
        "  HostName 127.0.0.1",
        "  User " + server.user(),
        "  Port " + server.port(),
        "  IdentityFile ~/.ssh/fixture_key",
        ""));
    try (SshConnection c = connector().connect(SshDestination.parse("devbox"), SshOptions.none())) {
      assertEquals(server.user() + "@127.0.0.1:" + server.port(), c.target().display());
      assertEquals("hi\n", run(c, "echo hi").stdout());
    }
  }

  @Test
  void defaultIdentityIsUsedWhenNoneIsGiven() {
    trustServer();
    copyKey(server.clientKey(), home.resolve(".ssh/id_ecdsa"));
    try (SshConnection c = connector().connect(destination(), SshOptions.none())) {
      assertEquals(0, run(c, "true").exit());
    }
  }

  static void assertOneLine(String message) {
    assertFalse(message.contains("\n"), message);
    assertFalse(message.contains("\tat "), message);
  }
}
