package dev.tether.conformance.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tether.conformance.lsp.LspEditor;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.Requirements;
import dev.tether.conformance.lsp.TetherCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9, during an editor's traffic through {@code tether lsp} to pylsp over a real OpenSSH sshd, of
 * each process on the path: the command the editor spawned, the local daemon, the agent daemon, the
 * language server, and sshd's process serving the connection. Each time the editor (if it is still
 * there) is told in one line, nothing of the killed path is left running on either side 10 s later,
 * and the next command works.
 *
 * <p>The host is this test's own sshd with a HOME of its own ({@link FaultHost}): its agent daemon,
 * relays and language servers are found from that HOME and sshd's process tree; the local daemon is
 * the one of this test's {@code TETHER_RUNTIME_DIR}.
 */
@Tag("fault")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KillDuringTrafficFaultTest {
  static final String ALIAS = "fault-host";
  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);
  private static final Duration TOLD_WITHIN = Duration.ofSeconds(30);

  private Path base;
  private FaultHost host;
  private TetherCli tether;
  private Path sshConfig;
  private PyProject project;

  @BeforeAll
  void start() throws IOException {
    Requirements.languageServers();
    base = Files.createTempDirectory("tether-fault-kill-");
    host = FaultHost.onLoopback(base.resolve("host"));
    sshConfig = base.resolve("ssh_config");
    Files.writeString(sshConfig, String.join("\n", host.hostConfig(ALIAS, host.address(), host.port(),
        base.resolve("known_hosts"))));
    project = PyProject.write(base.resolve("project"));
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
    assertNextCommandWorks(); // a daemon and a session: later commands hand their stdio to it
  }

  @AfterEach
  void endCommands() {
    tether.endCommands();
  }

  @AfterAll
  void stop() {
    try {
      if (tether != null) {
        tether.close();
      }
    } finally {
      if (host != null) {
        host.close();
      }
      FaultHost.deleteTree(base);
    }
  }

  @Test
  void theCommandKilledLeavesNoServerAndTheNextCommandWorks() throws Exception {
    TetherCli.LspProcess cli = openEditor();
    List<ProcessHandle> servers = awaitOne(this::newServers, "pylsp under the agent daemon");
    try (PyProject.Traffic traffic = project.new Traffic(cli.editor())) {
      traffic.awaitAnswers(5, TOLD_WITHIN);
      cli.process().destroyForcibly(); // kill -9 of the tether lsp the editor spawned
      assertTrue(Processes.awaitExit(cli.process().toHandle(), GONE_WITHIN), "tether lsp should die");
    }
    // Nobody is left to tell: the editor's pipe is gone. The daemon closes the channel, the agent the server.
    assertEquals(List.of(), Processes.survivors(servers, GONE_WITHIN), "pylsp after its command was killed");
    awaitTrue(() -> tether.run("daemon", "status").stdout().contains("(0 running)"),
        "the daemon should count no running command: " + tether.run("daemon", "status"));
    assertTrue(tether.daemon().isPresent(), "the daemon goes on");
    assertNextCommandWorks();
  }

  @Test
  void theLocalDaemonKilledIsReportedAndLeavesNothingOnTheHost() throws Exception {
    TetherCli.LspProcess cli = openEditor();
    List<ProcessHandle> servers = awaitOne(this::newServers, "pylsp under the agent daemon");
    ProcessHandle daemon = tether.daemon().orElseThrow();
    List<ProcessHandle> relays = host.relays();
    try (PyProject.Traffic traffic = project.new Traffic(cli.editor())) {
      traffic.awaitAnswers(5, TOLD_WITHIN);
      daemon.destroyForcibly(); // kill -9 of the local daemon
      assertToldAndExited(cli, "the tether daemon stopped during the command");
    }
    assertEquals(List.of(), Processes.survivors(List.of(daemon), GONE_WITHIN), "the killed daemon");
    assertEquals(List.of(), Processes.survivors(relays, GONE_WITHIN), "the host's relay of the killed daemon's connection");
    // The host cannot tell this death from a dropped connection; the next daemon, finding the dead
    // one's session in its runtime directory, has the host close it (sys/abandon) when it connects.
    assertNextCommandWorks();
    assertEquals(List.of(), Processes.survivors(servers, GONE_WITHIN),
        "pylsp of the session whose local daemon was killed, once the next daemon connected");
  }

  @Test
  void theAgentDaemonKilledIsReportedAndItsServerEndsAndTheNextCommandWorks() throws Exception {
    TetherCli.LspProcess cli = openEditor();
    List<ProcessHandle> servers = awaitOne(this::newServers, "pylsp under the agent daemon");
    ProcessHandle agent = host.agentDaemon().orElseThrow();
    try (PyProject.Traffic traffic = project.new Traffic(cli.editor())) {
      traffic.awaitAnswers(5, TOLD_WITHIN);
      agent.destroyForcibly(); // kill -9 of the agent daemon on the host
      JsonObject shown = cli.editor().awaitNotification("window/showMessage",
          m -> m.getAsJsonObject("params").get("type").getAsInt() == 1, TOLD_WITHIN);
      assertTrue(shown.toString().contains("tether: "), shown.toString());
      assertTrue(cli.awaitExit(TOLD_WITHIN) != 0, "tether lsp ends non-zero; stderr: " + cli.stderrText());
    }
    assertEquals(List.of(), Processes.survivors(servers, GONE_WITHIN), "pylsp of the killed agent daemon");
    assertNextCommandWorks();
    assertNotEquals(agent.pid(), host.agentDaemon().orElseThrow().pid(), "a new agent daemon");
  }

  @Test
  void theLanguageServerKilledIsReportedAndTheNextCommandWorks() throws Exception {
    TetherCli.LspProcess cli = openEditor();
    List<ProcessHandle> servers = awaitOne(this::newServers, "pylsp under the agent daemon");
    try (PyProject.Traffic traffic = project.new Traffic(cli.editor())) {
      traffic.awaitAnswers(5, TOLD_WITHIN);
      servers.get(0).destroyForcibly(); // kill -9 of pylsp
      assertToldAndExited(cli, "exited with status 137");
    }
    assertEquals(List.of(), Processes.survivors(servers, GONE_WITHIN), "the killed pylsp");
    assertNextCommandWorks();
  }

  @Test
  void sshdsConnectionProcessKilledIsReportedAndResumedWithTheSameServer() throws Exception {
    TetherCli.LspProcess cli = openEditor();
    List<ProcessHandle> servers = awaitOne(this::newServers, "pylsp under the agent daemon");
    List<ProcessHandle> connection = awaitOne(host::connectionProcesses, "sshd's process for the daemon's connection");
    List<ProcessHandle> relays = host.relays();
    try (PyProject.Traffic traffic = project.new Traffic(cli.editor())) {
      traffic.awaitAnswers(5, TOLD_WITHIN);
      connection.get(0).destroyForcibly(); // kill -9 of the sshd serving the connection
      LspEditor editor = cli.editor();
      editor.awaitNotification("window/showMessage", m -> message(m).contains("lost"), TOLD_WITHIN);
      editor.awaitNotification("window/showMessage", m -> message(m).contains("reconnected"), TOLD_WITHIN);
      traffic.awaitAnswers(5, TOLD_WITHIN); // the same editor's requests flow again
    }
    assertEquals(List.of(), Processes.survivors(connection, GONE_WITHIN), "the killed sshd process");
    assertEquals(List.of(), Processes.survivors(relays, GONE_WITHIN), "the relay of the dropped connection");
    assertEquals(servers, newServers(), "the same pylsp goes on, and no other");
    assertEquals(1, host.connectionProcesses().size(), "one connection after the resume: " + host.connectionProcesses());
    project.assertHoverWorks(cli.editor());
    endCleanly(cli);
    assertEquals(List.of(), Processes.survivors(servers, GONE_WITHIN), "pylsp after the editor's exit");
  }

  // ---- helpers ----

  /** The pylsp processes running before a test's editor starts: not the editor's own. */
  private java.util.Set<ProcessHandle> before = java.util.Set.of();

  private TetherCli.LspProcess openEditor() {
    before = java.util.Set.copyOf(host.languageServers());
    TetherCli.LspProcess cli = tether.lsp(project.dir(), List.of(ALIAS, "-F", sshConfig.toString(),
        "--map", project.dir() + "=" + project.dir(), "--server", "pylsp"));
    project.open(cli.editor());
    return cli;
  }

  /** A fresh editor is served (hover answered) and leaves cleanly; its server ends with it. */
  private void assertNextCommandWorks() {
    TetherCli.LspProcess cli = openEditor();
    List<ProcessHandle> servers = awaitOne(this::newServers, "pylsp for the next command");
    endCleanly(cli);
    assertEquals(List.of(), Processes.survivors(servers, GONE_WITHIN), "pylsp after the editor's exit");
  }

  private static void endCleanly(TetherCli.LspProcess cli) {
    LspEditor editor = cli.editor();
    editor.call("shutdown", null);
    editor.notify("exit", null);
    assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "exit after shutdown and exit; stderr: " + cli.stderrText());
    assertEquals(List.of(), editor.violations(), "stdout carries only LSP frames");
  }

  /** The editor was shown an error naming {@code reason}, stderr said it in one line, and tether lsp ended non-zero. */
  private static void assertToldAndExited(TetherCli.LspProcess cli, String reason) {
    JsonObject shown = cli.editor().awaitNotification("window/showMessage", m -> message(m).contains(reason), TOLD_WITHIN);
    assertEquals(1, shown.getAsJsonObject("params").get("type").getAsInt(), "an error: " + shown);
    assertTrue(message(shown).startsWith("tether: "), shown.toString());
    assertTrue(cli.awaitExit(TOLD_WITHIN) != 0, "tether lsp ends non-zero; stderr: " + cli.stderrText());
    assertTrue(cli.stderrLines().stream().anyMatch(l -> l.startsWith("tether: ") && l.contains(reason)),
        "stderr names the reason: " + cli.stderrText());
    assertEquals(List.of(), cli.editor().violations(), "stdout carries only LSP frames");
  }

  private static String message(JsonObject notification) {
    return notification.getAsJsonObject("params").get("message").getAsString();
  }

  private List<ProcessHandle> newServers() {
    return host.languageServers().stream().filter(p -> !before.contains(p)).toList();
  }

  /** Waits (deadline-bounded poll of the process table) for exactly one process from {@code find}. */
  private static List<ProcessHandle> awaitOne(Supplier<List<ProcessHandle>> find, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<ProcessHandle> found = find.get();
    while (found.size() != 1 && System.nanoTime() < deadline) {
      pause();
      found = find.get();
    }
    assertEquals(1, found.size(), what + ": " + Processes.describe(found));
    return new ArrayList<>(found);
  }

  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + GONE_WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50); // polling the process table, bounded by the caller's deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
