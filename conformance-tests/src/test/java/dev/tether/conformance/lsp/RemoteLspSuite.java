package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tether.conformance.lsp.Lsp.Position;
import dev.tether.conformance.lsp.Lsp.Target;
import dev.tether.local.ssh.SshServerFixture;
import dev.tether.local.ssh.TestKeys;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code tether lsp} end to end, driven as an editor drives it: a real CLI process per editor, the
 * real per-user daemon, a real SSH server on 127.0.0.1 (each subclass brings one), the real agent
 * bootstrapped onto it, and Debian's real pylsp and clangd. The editor's project lives in LOCAL, the
 * host's copy in REMOTE ({@code --map LOCAL=REMOTE}); the editor must only ever see LOCAL paths, or
 * read-only copies in its cache for files that exist on the host only.
 *
 * <p>One server, one daemon and one agent per test class (the daemon is per TETHER_RUNTIME_DIR);
 * everything is stopped in {@link #stopEverything}, which also checks that no language server outlived
 * the agent that started it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RemoteLspSuite {
  static final String HOST_ALIAS = "tether-test-host";
  static final Duration DIAGNOSTICS_WAIT = Duration.ofSeconds(60);
  static final Duration SERVER_EXIT_WAIT = Duration.ofSeconds(15);
  static final Duration RECONNECT_WAIT = Duration.ofSeconds(30);

  Path base;
  Path local;
  Path remote;
  Path sshConfig;
  Path knownHosts;
  SshServerFixture server;
  TetherCli tether;
  private final Set<ProcessHandle> languageServersSeen = ConcurrentHashMap.newKeySet();

  /** Starts this suite's SSH server on 127.0.0.1; it must accept {@link SshServerFixture#clientKey()}. */
  abstract SshServerFixture startServer();

  /** The process the server runs commands under: the agents it starts are its descendants. */
  abstract ProcessHandle serverProcess();

  @BeforeAll
  void startServerAndWriteProjects() throws IOException {
    Requirements.languageServers();
    base = Files.createTempDirectory("tether-lsp-");
    local = base.resolve("local");
    remote = base.resolve("remote");
    Projects.write(local, remote);
    server = startServer();
    knownHosts = base.resolve("known_hosts");
    sshConfig = base.resolve("ssh_config");
    Files.writeString(sshConfig, String.join("\n", server.hostConfig(HOST_ALIAS, knownHosts)));
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterEach
  void endCommands() {
    if (tether != null) {
      tether.endCommands();
    }
  }

  @AfterAll
  void stopEverything() {
    try {
      if (tether != null) {
        List<ProcessHandle> agents = agents();
        tether.close();
        // The relays end with their connections; an agent daemon ends once it has no session for 10 s.
        assertEquals(List.of(), Processes.survivors(agents, SERVER_EXIT_WAIT.plusSeconds(15)),
            "agents still running after 'tether daemon stop'");
        assertEquals(List.of(), Processes.survivors(List.copyOf(languageServersSeen), SERVER_EXIT_WAIT),
            "language servers still running after their agent stopped");
      }
    } finally {
      if (server != null) {
        server.close();
      }
      Projects.deleteTree(base);
    }
  }

  /**
   * This suite's agents: the relays its SSH server runs (one per connection) and the agent daemons
   * they started, which own the language servers.
   */
  List<ProcessHandle> agents() {
    List<ProcessHandle> agents = new ArrayList<>(Processes.agentsUnder(serverProcess()));
    agents.addAll(Processes.agentDaemonsOf(server));
    return agents;
  }

  /** {@code tether lsp} arguments for the suite's host (an ssh_config alias) and mapping, then {@code more}. */
  List<String> lspArgs(String... more) {
    List<String> args = new ArrayList<>(List.of(HOST_ALIAS, "-F", sshConfig.toString(), "--map", local + "=" + remote));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void pylspServesTheEditorInItsOwnPaths() {
    Path project = local.resolve(Projects.PYTHON);
    String app = Projects.read(project.resolve("app.py"));
    String appUri = Lsp.uri(project.resolve("app.py"));
    Set<ProcessHandle> before = Set.copyOf(Processes.languageServersUnder(agents()));
    try (TetherCli.LspProcess cli = tether.lsp(project, lspArgs("--server", "pylsp"))) {
      LspEditor editor = cli.editor();
      JsonObject capabilities = editor.call("initialize", Lsp.initializeParams(project)).getAsJsonObject()
          .getAsJsonObject("capabilities");
      for (String capability : List.of("hoverProvider", "completionProvider", "definitionProvider")) {
        assertTrue(capabilities.has(capability), "pylsp's capabilities lack " + capability + ": " + capabilities);
      }
      editor.notify("initialized", new JsonObject());
      List<ProcessHandle> mine = newLanguageServers(before, 1);
      editor.notify("textDocument/didOpen", Lsp.didOpen(appUri, "python", app));

      JsonObject diagnostics = editor.awaitNotification("textDocument/publishDiagnostics",
          m -> appUri.equals(m.getAsJsonObject("params").get("uri").getAsString())
              && !m.getAsJsonObject("params").getAsJsonArray("diagnostics").isEmpty(), DIAGNOSTICS_WAIT);
      assertTrue(diagnostics.toString().contains("undefined name 'undefined_helper'"), diagnostics.toString());

      String hover = Lsp.hoverText(editor.call("textDocument/hover", Lsp.at(appUri, Position.of(app, "greet(\"world\")", 1))));
      assertTrue(hover.contains("Return a friendly greeting for name."), "hover over greet: " + hover);

      List<String> labels = Lsp.completionLabels(editor.call("textDocument/completion",
          Lsp.at(appUri, Position.of(app, "counter.increment", "counter.".length()))));
      assertTrue(labels.stream().anyMatch(l -> l.startsWith("increment")), "completions after 'counter.': " + labels);
      assertTrue(labels.stream().anyMatch(l -> l.startsWith("reset")), "completions after 'counter.': " + labels);

      List<Target> greet = Lsp.targets(editor.call("textDocument/definition", Lsp.at(appUri, Position.of(app, "greet(\"world\")", 1))));
      assertEquals(List.of(new Target(Lsp.uri(project.resolve("util.py")), new Position(3, 4))), greet,
          "definition of greet, in the editor's util.py");

      // generated.py exists on the host only: the editor gets a read-only copy it can open.
      List<Target> buildId = Lsp.targets(editor.call("textDocument/definition", Lsp.at(appUri, Position.of(app, "build_id()", 0))));
      assertEquals(1, buildId.size(), "definition of build_id: " + buildId);
      Path remoteFile = remote.resolve(Projects.PYTHON).resolve(Projects.HOST_ONLY);
      assertReadOnlyCopy(buildId.get(0).uri(), remoteFile, remoteFile.toString());

      endCleanly(cli, mine, "pylsp", true);
    }
  }

  /**
   * The SSH connection drops mid-session: the daemon reconnects and resumes the session with the
   * agent daemon on the host, so the same pylsp keeps serving the same editor, which was told.
   */
  @Test
  void aDroppedConnectionIsResumedAndTheSameServerGoesOn() {
    Path project = local.resolve(Projects.PYTHON);
    String app = Projects.read(project.resolve("app.py"));
    String appUri = Lsp.uri(project.resolve("app.py"));
    Set<ProcessHandle> before = Set.copyOf(Processes.languageServersUnder(agents()));
    try (TetherCli.LspProcess cli = tether.lsp(project, lspArgs("--server", "pylsp"))) {
      LspEditor editor = cli.editor();
      editor.call("initialize", Lsp.initializeParams(project));
      editor.notify("initialized", new JsonObject());
      List<ProcessHandle> mine = newLanguageServers(before, 1);
      editor.notify("textDocument/didOpen", Lsp.didOpen(appUri, "python", app));
      JsonObject hoverAtGreet = Lsp.at(appUri, Position.of(app, "greet(\"world\")", 1));
      String hover = Lsp.hoverText(editor.call("textDocument/hover", hoverAtGreet));
      assertTrue(hover.contains("Return a friendly greeting"), "hover before the drop: " + hover);
      int acceptedBefore = server.acceptedConnections();

      server.dropConnections();

      editor.awaitNotification("window/showMessage",
          m -> m.getAsJsonObject("params").get("message").getAsString().contains("lost"), RECONNECT_WAIT);
      editor.awaitNotification("window/showMessage",
          m -> m.getAsJsonObject("params").get("message").getAsString().contains("reconnected"), RECONNECT_WAIT);
      assertEquals(hover, Lsp.hoverText(editor.call("textDocument/hover", hoverAtGreet)), "hover after the reconnection");
      assertTrue(server.acceptedConnections() > acceptedBefore, "the daemon should have connected again");
      assertTrue(mine.get(0).isAlive(), "the same pylsp must go on serving: " + Processes.describe(mine));
      List<ProcessHandle> now = Processes.languageServersUnder(agents()).stream().filter(p -> !before.contains(p)).toList();
      assertEquals(mine, now, "no language server may be started again by a reconnection");

      endCleanly(cli, mine, "pylsp", false);
    }
  }

  @Test
  void clangdFindsDefinitionsInTheProjectAndInSystemHeaders() throws IOException {
    Path project = local.resolve(Projects.C);
    String main = Projects.read(project.resolve("main.c"));
    String mainUri = Lsp.uri(project.resolve("main.c"));
    Set<ProcessHandle> before = Set.copyOf(Processes.languageServersUnder(agents()));
    try (TetherCli.LspProcess cli = tether.lsp(project, lspArgs("--server", "clangd"))) {
      LspEditor editor = cli.editor();
      JsonObject capabilities = editor.call("initialize", Lsp.initializeParams(project)).getAsJsonObject()
          .getAsJsonObject("capabilities");
      assertTrue(capabilities.has("definitionProvider") && capabilities.has("hoverProvider"), capabilities.toString());
      editor.notify("initialized", new JsonObject());
      List<ProcessHandle> mine = newLanguageServers(before, 1);
      editor.notify("textDocument/didOpen", Lsp.didOpen(mainUri, "c", main));

      List<Target> add = Lsp.targets(editor.call("textDocument/definition", Lsp.at(mainUri, Position.of(main, "add(1, 2)", 0))));
      assertEquals(List.of(new Target(Lsp.uri(project.resolve("lib.h")), new Position(4, 18))), add,
          "definition of add, in the editor's lib.h");

      List<Target> printf = Lsp.targets(editor.call("textDocument/definition", Lsp.at(mainUri, Position.of(main, "printf(", 0))));
      assertEquals(1, printf.size(), "definition of printf: " + printf);
      Path copy = assertReadOnlyCopy(printf.get(0).uri(), Path.of("/usr/include/stdio.h"), "/usr/include/stdio.h");

      // The editor jumps there and hovers: it names the copy, the server gets the host's header.
      editor.notify("textDocument/didOpen", Lsp.didOpen(printf.get(0).uri(), "c", Files.readString(copy)));
      String hover = Lsp.hoverText(editor.call("textDocument/hover", Lsp.at(printf.get(0).uri(), printf.get(0).start())));
      assertTrue(hover.contains("printf"), "hover inside the copy of stdio.h at " + printf.get(0).start() + ": " + hover);

      endCleanly(cli, mine, "clangd", true);
    }
  }

  /**
   * Three editors start at once with no daemon running (a fresh TETHER_RUNTIME_DIR): one daemon, one
   * SSH connection, one agent serve them all; stopping the daemon ends the agent and every server.
   */
  @Test
  void threeEditorsShareOneSshConnection() throws Exception {
    try (TetherCli shared = new TetherCli(base.resolve("run-shared"), base.resolve("cache"), base.resolve("logs"))) {
      int acceptedBefore = server.acceptedConnections();
      Set<ProcessHandle> before = Set.copyOf(Processes.languageServersUnder(agents()));
      Path python = local.resolve(Projects.PYTHON);
      Path c = local.resolve(Projects.C);
      List<TetherCli.LspProcess> clis = List.of(
          shared.lsp(python, lspArgs("--server", "pylsp")),
          shared.lsp(python, lspArgs("--server", "pylsp")),
          shared.lsp(c, lspArgs("--server", "clangd")));
      List<CompletableFuture<String>> hovers = List.of(
          hoverAsync(clis.get(0), python.resolve("util.py"), "python", "Counter:", 0),
          hoverAsync(clis.get(1), python.resolve("app.py"), "python", "greet(\"world\")", 1),
          hoverAsync(clis.get(2), c.resolve("main.c"), "c", "add(1, 2)", 0));
      List<String> answers = new ArrayList<>();
      for (CompletableFuture<String> hover : hovers) {
        answers.add(hover.get());
      }
      assertTrue(answers.stream().noneMatch(String::isBlank), "hover answers: " + answers);
      assertTrue(answers.get(0).contains("Counts things.") && answers.get(1).contains("Return a friendly greeting")
          && answers.get(2).contains("Adds two numbers."), "hover answers: " + answers);

      assertEquals(1, server.acceptedConnections() - acceptedBefore, "TCP connections the SSH server accepted for three editors");
      assertEquals(1, shared.daemonsForThisRuntimeDir().size(),
          "daemons serving " + shared.runtimeDir() + ": " + Processes.describe(shared.daemonsForThisRuntimeDir()));
      TetherCli.Result status = shared.run("status");
      assertEquals(0, status.exit(), status.toString());
      List<String> sessions = status.stdout().lines().filter(l -> l.contains("ATTACHED")).toList();
      assertEquals(1, sessions.size(), "sessions in 'tether status': " + status.stdout());
      ProcessHandle agent = agentNamedIn(sessions.get(0));
      List<ProcessHandle> servers = newLanguageServers(before, 3);
      assertTrue(servers.stream().allMatch(s -> s.parent().map(p -> p.pid() == agent.pid()).orElse(false)),
          "the three servers should be children of the one agent " + agent.pid() + ": " + Processes.describe(servers));

      TetherCli.Result stop = shared.stopDaemon();
      assertNotNull(stop, "the daemon should have been running");
      assertEquals(0, stop.exit(), stop.toString());
      // The agent daemon may serve this suite's other daemon too; it ends once no session is left
      // (checked at the end of the suite). Its language servers for this session end now.
      assertEquals(List.of(), Processes.survivors(servers, SERVER_EXIT_WAIT), "language servers after 'tether daemon stop'");
      assertEquals(List.of(), shared.daemonsForThisRuntimeDir(), "daemons left after 'tether daemon stop'");
      for (TetherCli.LspProcess cli : clis) {
        assertEndedAndToldTheEditor(cli);
      }
    }
  }

  /** After its daemon stopped, an editor's tether lsp ends non-zero and has said why in the editor. */
  private static void assertEndedAndToldTheEditor(TetherCli.LspProcess cli) {
    int exit = cli.awaitExit(TetherCli.EXIT_TIMEOUT);
    assertTrue(exit != 0, "exit status of an editor's tether lsp whose daemon stopped; stderr: " + cli.stderrText());
    JsonObject shown = cli.editor().awaitNotification("window/showMessage",
        m -> m.getAsJsonObject("params").get("type").getAsInt() == 1, Duration.ofSeconds(5));
    assertTrue(shown.getAsJsonObject("params").get("message").getAsString().startsWith("tether: "), shown.toString());
    assertEquals(List.of(), cli.editor().violations(), "stdout must carry only LSP frames");
  }

  @Test
  void aKeyTheHostDoesNotAcceptIsShownInTheEditor() {
    Path stranger = TestKeys.generate(base, "stranger_key", "");
    try (TetherCli.LspProcess cli = tether.lsp(local, List.of(server.user() + "@127.0.0.1", "-p", Integer.toString(server.port()),
        "-i", stranger.toString(), "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=accept-new",
        "-o", "BatchMode=yes", "--map", local + "=" + remote, "--server", "pylsp"))) {
      EditorAssertions.assertRefusedClearly(cli, local, "127.0.0.1", "denied");
    }
  }

  @Test
  void aChangedHostKeyIsRefused() throws IOException {
    Path impostor = TestKeys.generate(base, "impostor_host_key", "");
    Path seeded = base.resolve("known_hosts-changed");
    String line = "[127.0.0.1]:" + server.port() + " " + TestKeys.publicLine(impostor) + "\n";
    Files.writeString(seeded, line);
    try (TetherCli.LspProcess cli = tether.lsp(local, List.of(server.user() + "@127.0.0.1", "-p", Integer.toString(server.port()),
        "-i", server.clientKey().toString(), "-o", "UserKnownHostsFile=" + seeded, "-o", "StrictHostKeyChecking=accept-new",
        "-o", "BatchMode=yes", "--map", local + "=" + remote, "--server", "pylsp"))) {
      EditorAssertions.assertRefusedClearly(cli, local, "127.0.0.1", "host key", "changed");
    }
    assertEquals(line, Files.readString(seeded), "the known_hosts file must keep the key it had");
  }

  @Test
  void anUnknownServerNameIsRefusedWithTheKnownNames() {
    Path project = local.resolve(Projects.PYTHON);
    try (TetherCli.LspProcess cli = tether.lsp(project, lspArgs("--server", "pyls"))) {
      EditorAssertions.assertRefusedClearly(cli, project, "'pyls'", "pylsp", "clangd", "gopls");
    }
  }

  // ---- helpers ----

  /**
   * The editor's shutdown and exit: tether exits 0, stdout carried only LSP, the editor saw only its
   * own paths (when {@code onlyEditorPaths}), and the server ended with its editor.
   */
  private void endCleanly(TetherCli.LspProcess cli, List<ProcessHandle> mine, String server, boolean onlyEditorPaths) {
    LspEditor editor = cli.editor();
    assertTrue(editor.call("shutdown", null).isJsonNull(), "shutdown's result");
    editor.notify("exit", null);
    assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "exit status after shutdown and exit; stderr: " + cli.stderrText());
    assertEquals(List.of(), editor.violations(), "stdout must carry only LSP frames");
    if (onlyEditorPaths) {
      EditorAssertions.assertOnlyEditorPaths(editor, remote, tether.filesCache());
    }
    assertEquals(List.of(), Processes.survivors(mine, SERVER_EXIT_WAIT), server + " must end with its editor");
  }

  /** Opens {@code file}, hovers at {@code needle}+{@code offset}, then shuts the editor down; returns the hover text. */
  private static CompletableFuture<String> hoverAsync(TetherCli.LspProcess cli, Path file, String language, String needle, int offset) {
    return CompletableFuture.supplyAsync(() -> {
      LspEditor editor = cli.editor();
      editor.call("initialize", Lsp.initializeParams(file.getParent()));
      editor.notify("initialized", new JsonObject());
      String text = Projects.read(file);
      editor.notify("textDocument/didOpen", Lsp.didOpen(Lsp.uri(file), language, text));
      return Lsp.hoverText(editor.call("textDocument/hover", Lsp.at(Lsp.uri(file), Position.of(text, needle, offset))));
    });
  }

  /** Waits for {@code count} language servers started since {@code before}, and remembers them for the final check. */
  private List<ProcessHandle> newLanguageServers(Set<ProcessHandle> before, int count) {
    long deadline = System.nanoTime() + SERVER_EXIT_WAIT.toNanos();
    List<ProcessHandle> fresh;
    do {
      fresh = Processes.languageServersUnder(agents()).stream().filter(p -> !before.contains(p)).toList();
    } while (fresh.size() < count && System.nanoTime() < deadline && pause());
    languageServersSeen.addAll(fresh);
    assertEquals(count, fresh.size(), "new language servers under our agent: " + Processes.describe(fresh));
    return fresh;
  }

  private static boolean pause() {
    try {
      Thread.sleep(50); // polling the process table, bounded by the caller's deadline
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The agent process a 'tether status' session line names: {@code ... VERSION (pid N)}. */
  private static ProcessHandle agentNamedIn(String statusLine) {
    Matcher m = Pattern.compile("\\(pid (\\d+)\\)").matcher(statusLine);
    assertTrue(m.find(), "no agent pid in: " + statusLine);
    ProcessHandle agent = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow(
        () -> new AssertionError("the agent " + m.group(1) + " named by 'tether status' is not running"));
    assertTrue(Processes.commandLine(agent).contains("tether-remote.jar"), Processes.commandLine(agent));
    return agent;
  }

  /**
   * {@code uri} names a read-only copy of the host file {@code hostPath} in the editor's cache, with
   * the same bytes as {@code original} (the host and the editor share this machine's files).
   */
  private Path assertReadOnlyCopy(String uri, Path original, String hostPath) {
    String cachePrefix = Lsp.uri(tether.filesCache()) + "/";
    assertTrue(uri.startsWith(cachePrefix) && uri.endsWith(hostPath),
        "expected a copy of " + hostPath + " under " + cachePrefix + ", got " + uri);
    Path copy = Path.of(URI.create(uri));
    try {
      assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), "content of " + copy);
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(copy);
      assertFalse(permissions.contains(PosixFilePermission.OWNER_WRITE) || permissions.contains(PosixFilePermission.GROUP_WRITE)
          || permissions.contains(PosixFilePermission.OTHERS_WRITE), copy + " should be read-only: " + permissions);
    } catch (IOException e) {
      throw new AssertionError("cannot read the copy " + copy + ": " + e, e);
    }
    return copy;
  }
}
