package dev.tether.conformance.fault;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.TetherException;
import dev.tether.local.connect.AgentJar;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.daemon.Ui;
import dev.tether.local.ssh.EmbeddedSshServer;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.local.ssh.TestKeys;
import dev.tether.mux.SessionListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host where a bootstrap step hangs ({@code java} is a script that never returns, as on a host
 * with a wedged NFS mount): the connect fails within the bootstrap deadline with the step named,
 * and a second connect to the same host at the same time is not held behind the first. The deadline
 * is shortened to 3 s through {@code tether.connect.timeout}; the real default is 30 s.
 */
class HungHostTest {
  @TempDir
  Path dir;

  private EmbeddedSshServer server;
  private String previousTimeout;

  @BeforeEach
  void startHostWhoseJavaHangs() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    // Records its pid so that the test ends it; `exec` keeps the pid for the sleep.
    Files.writeString(java, "#!/bin/sh\necho $$ >> \"" + dir.resolve("hung.pids") + "\"\nexec sleep 100000\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    Path clientKey = TestKeys.generate(dir, "client_key", "");
    Path home = Files.createDirectories(dir.resolve("home"));
    server = EmbeddedSshServer.builder().home(home).authorizedKey(TestKeys.publicKey(clientKey))
        .environment("PATH", bin + ":" + System.getenv("PATH")).start();
    Files.createDirectories(dir.resolve("local/.ssh"));
    Files.writeString(dir.resolve("local/.ssh/known_hosts"), server.knownHostsLine() + "\n");
    Files.writeString(dir.resolve("ssh_config"), String.join("\n",
        "Host hung", "  HostName " + EmbeddedSshServer.HOST, "  Port " + server.port(), "  User tester",
        "  IdentityFile " + clientKey, "  UserKnownHostsFile " + dir.resolve("local/.ssh/known_hosts"), ""));
    previousTimeout = System.setProperty("tether.connect.timeout", "3");
    System.setProperty("tether.agent.jar", TetherCli.AGENT_JAR.toString());
  }

  @AfterEach
  void endHungProcesses() throws Exception {
    if (previousTimeout == null) {
      System.clearProperty("tether.connect.timeout");
    } else {
      System.setProperty("tether.connect.timeout", previousTimeout);
    }
    Path pids = dir.resolve("hung.pids");
    if (Files.exists(pids)) {
      for (String pid : Files.readAllLines(pids)) {
        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    server.close();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // on a hang: fail, not wait
  void aHungJavaProbeFailsTheConnectWithinTheDeadlineNamingTheStep() throws Exception {
    AgentLauncher launcher = new AgentLauncher(AgentJar.locate(), SshEnvironment.of(dir.resolve("local"), Map.of()));
    RemoteSpec spec = new RemoteSpec("hung", List.of("-F", dir.resolve("ssh_config").toString()), null);
    CompletableFuture<Throwable> second = CompletableFuture.supplyAsync(() -> failureOf(launcher, spec));
    TetherException first = assertThrows(TetherException.class, () -> launcher.connect(spec, Ui.none(), SessionListener.NONE));
    assertTrue(first.getMessage().contains("timed out after 3 s while checking Java on the host (java -version)"),
        first.getMessage());
    // Bounded wait for the other connect: the deadline is 3 s, so 30 s means it was held.
    Throwable other = second.get(30, TimeUnit.SECONDS);
    assertTrue(other instanceof TetherException && other.getMessage().contains("timed out"), String.valueOf(other));
    assertTrue(Files.readAllLines(dir.resolve("hung.pids")).size() >= 2, "both connects must have reached the hung java");
  }

  private static Throwable failureOf(AgentLauncher launcher, RemoteSpec spec) {
    try {
      launcher.connect(spec, Ui.none(), SessionListener.NONE).close();
      return null;
    } catch (Exception e) {
      return e;
    }
  }
}
