package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.local.ssh.EmbeddedSshServer;
import dev.tether.local.ssh.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Starting {@code tether lsp}: when the host cannot run a language server at all, the editor is told why
 * (an error for initialize and a window/showMessage), stderr has one clear line, the exit status is
 * not 0; and editors that start together, with no daemon yet, end up with one daemon. The failures that
 * need a working SSH server (wrong key, changed host key, unknown server name) run in
 * {@link RemoteLspSuite} against each server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LspStartupTest {
  Path base;
  Path local;
  Path clientKey;
  TetherCli tether;

  @BeforeAll
  void setUp() throws IOException {
    base = Files.createTempDirectory("tether-lsp-fail-");
    local = base.resolve("local");
    Projects.write(local, base.resolve("remote"));
    clientKey = TestKeys.generate(base, "client_key", "");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterEach
  void endCommands() {
    tether.endCommands();
  }

  @AfterAll
  void tearDown() {
    try {
      tether.close();
    } finally {
      Projects.deleteTree(base);
    }
  }

  private List<String> sshArgs(int port, String... more) {
    List<String> args = new ArrayList<>(List.of(System.getProperty("user.name") + "@127.0.0.1",
        "-p", Integer.toString(port), "-i", clientKey.toString(),
        "-o", "UserKnownHostsFile=" + base.resolve("known_hosts"), "-o", "StrictHostKeyChecking=accept-new",
        "-o", "BatchMode=yes"));
    args.addAll(List.of(more));
    return args;
  }

  /**
   * Each command that finds no daemon starts one, so editors opening together start several at once;
   * exactly one may stay (the others would hold SSH sessions of their own, unreachable).
   */
  @Test
  void daemonsStartedTogetherLeaveExactlyOne() {
    try (TetherCli fresh = new TetherCli(base.resolve("run-together"), base.resolve("cache"), base.resolve("logs"))) {
      List<Process> daemons = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        daemons.add(fresh.spawn("daemon", "run"));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      List<Process> alive;
      do {
        alive = daemons.stream().filter(Process::isAlive).toList();
      } while ((alive.size() > 1 || fresh.daemon().isEmpty()) && System.nanoTime() < deadline && waitABit(alive));
      assertEquals(1, alive.size(), "daemons still running for one TETHER_RUNTIME_DIR: "
          + Processes.describe(alive.stream().map(Process::toHandle).toList()));
      assertEquals(alive.get(0).pid(), fresh.daemon().map(ProcessHandle::pid).orElse(-1L), "the pid in daemon.pid");
      TetherCli.Result status = fresh.run("daemon", "status");
      assertEquals(0, status.exit(), status.toString());
      assertTrue(status.stdout().contains("pid " + alive.get(0).pid()), status.toString());
    }
  }

  private static boolean waitABit(List<Process> alive) {
    try {
      alive.get(0).waitFor(50, TimeUnit.MILLISECONDS); // polling, bounded by the deadline
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The first connection to a host installs the agent; the editor's log shows each step as stderr does. */
  @Test
  void theFirstConnectionShowsItsProgressInTheEditorLog() throws IOException {
    Path home = Files.createDirectories(base.resolve("home-fresh"));
    try (EmbeddedSshServer host = EmbeddedSshServer.builder().home(home).authorizedKey(TestKeys.publicKey(clientKey)).start();
        TetherCli fresh = new TetherCli(base.resolve("run-progress"), base.resolve("cache"), base.resolve("logs"));
        TetherCli.LspProcess cli = fresh.lsp(local, sshArgs(host.port(), "--server", "pylsp"))) {
      LspEditor editor = cli.editor();
      editor.call("initialize", Lsp.initializeParams(local));
      for (String step : List.of("connecting to", "installing the agent on")) {
        editor.awaitNotification("window/logMessage",
            m -> m.getAsJsonObject("params").get("message").getAsString().contains(step), Duration.ofSeconds(5));
        assertTrue(cli.stderrText().contains("tether: " + step), "stderr should show '" + step + "': " + cli.stderrText());
      }
      editor.call("shutdown", null);
      editor.notify("exit", null);
      assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "exit status; stderr: " + cli.stderrText());
      assertEquals(List.of(), editor.violations(), "stdout must carry only LSP frames");
    }
  }

  @Test
  void anUnreachableHostIsShownInTheEditor() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = probe.getLocalPort(); // free, and closed again before tether tries it
    }
    try (TetherCli.LspProcess cli = tether.lsp(local, sshArgs(closedPort, "--server", "pylsp"))) {
      EditorAssertions.assertRefusedClearly(cli, local, "127.0.0.1", Integer.toString(closedPort), "refused");
    }
  }

  @Test
  void aHostWithoutJavaIsExplainedWithWhatToInstall() throws IOException {
    Path home = Files.createDirectories(base.resolve("home-without-java"));
    Path emptyBin = Files.createDirectories(base.resolve("empty-bin"));
    try (EmbeddedSshServer host = EmbeddedSshServer.builder().home(home).authorizedKey(TestKeys.publicKey(clientKey))
        .environment("PATH", emptyBin.toString()).start();
        TetherCli.LspProcess cli = tether.lsp(local, sshArgs(host.port(), "--server", "pylsp"))) {
      EditorAssertions.assertRefusedClearly(cli, local, "Java 17 or newer is needed", "apt-get install openjdk-17-jre-headless");
    }
  }
}
