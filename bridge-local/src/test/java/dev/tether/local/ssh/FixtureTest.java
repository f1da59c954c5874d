package dev.tether.local.ssh;

import static dev.tether.local.ssh.SshTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server fixtures themselves, and EmbeddedSshServer features the contract does not cover. */
class FixtureTest {
  @Test
  void missingSshdFailsWithInstallHint(@TempDir Path tmp) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> OpenSshServer.start(tmp.resolve("sshd")));
    assertEquals("OpenSSH server not installed: apt-get install openssh-server", e.getMessage());
  }

  @Test
  void openSshServerEndsItsProcessesAndFilesOnClose(@TempDir Path tmp) {
    OpenSshServer server = OpenSshServer.start();
    ProcessHandle sshd = ProcessHandle.of(server.pid()).orElseThrow();
    Path home = SshTestSupport.newHome(tmp);
    SshTestSupport.write(home.resolve(".ssh/known_hosts"), server.knownHostsLine() + "\n");
    SshConnection c = new SshConnector(SshEnvironment.of(home, Map.of()), Prompter.unavailable())
        .connect(new SshDestination(server.user(), "127.0.0.1", server.port()),
            SshOptions.builder().identity(server.clientKey()).build());
    assertEquals(1, server.activeConnections());
    assertEquals(1, server.acceptedConnections());
    Path log = server.logFile();
    server.close();
    c.close();
    assertFalse(sshd.isAlive());
    assertFalse(Files.exists(log));
  }

  @Test
  void embeddedServerAcceptsPasswordThroughThePrompterAndRunsInItsHome(@TempDir Path tmp) {
    try (MinaSshServer server = MinaSshServer.start("letmein")) {
      Path home = SshTestSupport.newHome(tmp);
      SshTestSupport.write(home.resolve(".ssh/known_hosts"), server.knownHostsLine() + "\n");
      SshTestSupport.ScriptedPrompter prompter = new SshTestSupport.ScriptedPrompter("letmein");
      try (SshConnection c = new SshConnector(SshEnvironment.of(home, Map.of()), prompter)
          .connect(new SshDestination("anyone", "127.0.0.1", server.port()), SshOptions.none())) {
        // MINA offers keyboard-interactive first, which asks "Password: "; either method is fine.
        assertTrue(prompter.prompts().stream().anyMatch(p -> p.toLowerCase(java.util.Locale.ROOT).contains("password")),
            prompter.prompts().toString());
        Path local = tmp.resolve("f.txt");
        SshTestSupport.write(local, "content");
        c.upload(local, "~/sub/f.txt", 0600);
        SshTestSupport.Result r = run(c, "cat sub/f.txt; pwd");
        assertTrue(r.stdout().startsWith("content"), r.stdout());
      }
    }
  }

  @Test
  void remoteCommandKilledBySignalReportsShellStyleStatus(@TempDir Path tmp) {
    try (MinaSshServer server = MinaSshServer.start()) {
      Path home = SshTestSupport.newHome(tmp);
      SshTestSupport.write(home.resolve(".ssh/known_hosts"), server.knownHostsLine() + "\n");
      try (SshConnection c = new SshConnector(SshEnvironment.of(home, Map.of()), Prompter.unavailable())
          .connect(new SshDestination(null, "127.0.0.1", server.port()),
              SshOptions.builder().identity(server.clientKey()).build())) {
        assertEquals(143, run(c, "kill -TERM $$").exit());
        assertEquals(0, run(c, "true").exit());
      }
    }
  }
}
