package dev.tether.conformance.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.ssh.SshServerFixture;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code tether dap} end to end, driven as a debug client drives it: a real CLI process per client on
 * stdio, the real daemon, a real SSH server on 127.0.0.1 (each subclass brings one), the real agent, and
 * Debian's real debugpy and lldb-dap on the "host". The client's sources are in LOCAL, the host's copy
 * in REMOTE ({@code --map LOCAL=REMOTE}); the client only ever uses LOCAL paths and must only ever see
 * LOCAL paths, or read-only copies in its cache for files that exist on the host only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RemoteDapSuite {
  static final String HOST_ALIAS = "tether-dap-host";
  static final Duration EXIT_WAIT = Duration.ofSeconds(30);

  Path base;
  Path local;
  Path remote;
  Path sshConfig;
  SshServerFixture server;
  TetherCli tether;

  abstract SshServerFixture startServer();

  @BeforeAll
  void start() throws IOException {
    DapRequirements.check();
    base = Files.createTempDirectory("tether-dap-");
    local = base.resolve("local");
    remote = base.resolve("remote");
    DapPrograms.write(local, remote);
    server = startServer();
    sshConfig = base.resolve("ssh_config");
    Files.writeString(sshConfig, String.join("\n", server.hostConfig(HOST_ALIAS, base.resolve("known_hosts"))));
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  /**
   * Everything ends: the CLI processes and the daemon, then the agent daemons this suite's sessions used
   * (they exit 10 s after their last session; waiting for them keeps the next suite from reaching an
   * agent that is on its way out), and no debug adapter or debuggee outlives them.
   */
  @AfterAll
  void stopEverything() {
    try {
      if (tether != null) {
        List<ProcessHandle> agents = Processes.agentDaemonsOf(server);
        List<ProcessHandle> adapters = debugpyProcesses();
        tether.close();
        // Only this suite's server's daemons (Processes.agentDaemonsOf): they end 10 s after their last session.
        assertEquals(List.of(), Processes.survivors(agents, Duration.ofSeconds(30)),
            "agent daemons still running after 'tether daemon stop'");
        assertEquals(List.of(), Processes.survivors(adapters, Duration.ofSeconds(15)),
            "debug adapters or debuggees still running after their agent stopped");
      }
    } finally {
      if (server != null) {
        server.close();
      }
      deleteTree(base);
    }
  }

  /** One {@code tether dap} process with a client on its stdio. */
  final class DapProcess implements AutoCloseable {
    final Process process;
    final DapClient client;
    final Path stderr;

    DapProcess(Process process, DapClient client, Path stderr) {
      this.process = process;
      this.client = client;
      this.stderr = stderr;
    }

    int awaitExit() {
      try {
        if (!process.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError("tether dap did not exit within " + EXIT_WAIT.toSeconds() + " s; stderr: "
              + stderrText() + "; " + client.transcriptTail());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      return process.exitValue();
    }

    String stderrText() {
      try {
        return Files.exists(stderr) ? Files.readString(stderr) : "";
      } catch (IOException e) {
        return "(" + e.getMessage() + ")";
      }
    }

    @Override
    public void close() {
      client.close();
      if (process.isAlive() && !Processes.awaitExit(process.toHandle(), Duration.ofSeconds(15))) {
        Processes.endTree(process.toHandle());
      }
    }
  }

  /** {@code tether dap HOST -F CONFIG --map LOCAL=REMOTE ARGS}, started in {@code cwd}. */
  DapProcess dap(Path cwd, String... args) {
    List<String> command = new ArrayList<>(List.of("dap", HOST_ALIAS, "-F", sshConfig.toString(),
        "--map", local + "=" + remote));
    command.addAll(List.of(args));
    return dapRaw(cwd, command);
  }

  DapProcess dapRaw(Path cwd, List<String> command) {
    Path stderr = base.resolve("logs").resolve("dap-" + System.nanoTime() + ".stderr");
    ProcessBuilder builder = tether.processBuilder(command, cwd).redirectError(stderr.toFile());
    try {
      Process process = builder.start();
      return new DapProcess(process, new DapClient(process.getInputStream(), process.getOutputStream(),
          String.join(" ", command.subList(0, Math.min(2, command.size())))), stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonObject initialize(DapClient client, String adapterId) {
    JsonObject args = new JsonObject();
    args.addProperty("clientID", "tether-test");
    args.addProperty("adapterID", adapterId);
    args.addProperty("pathFormat", "path");
    args.addProperty("linesStartAt1", true);
    args.addProperty("columnsStartAt1", true);
    args.addProperty("supportsRunInTerminalRequest", true);
    return client.call("initialize", args);
  }

  static JsonObject breakpoints(Path file, int... lines) {
    JsonObject source = new JsonObject();
    source.addProperty("path", file.toString());
    JsonArray list = new JsonArray();
    for (int line : lines) {
      JsonObject bp = new JsonObject();
      bp.addProperty("line", line);
      list.add(bp);
    }
    JsonObject args = new JsonObject();
    args.add("source", source);
    args.add("breakpoints", list);
    return args;
  }

  static JsonObject thread(long id) {
    JsonObject args = new JsonObject();
    args.addProperty("threadId", id);
    return args;
  }

  static JsonArray stackTrace(DapClient client, long threadId) {
    return client.call("stackTrace", thread(threadId)).getAsJsonArray("stackFrames");
  }

  static JsonObject frame(JsonArray frames, int index) {
    return frames.get(index).getAsJsonObject();
  }

  static String framePath(JsonObject frame) {
    return frame.getAsJsonObject("source").get("path").getAsString();
  }

  static int frameLine(JsonObject frame) {
    return frame.get("line").getAsInt();
  }

  JsonObject pythonLaunch(Path program, String console) {
    JsonObject args = new JsonObject();
    args.addProperty("name", "tether test");
    args.addProperty("type", "python");
    args.addProperty("request", "launch");
    args.addProperty("program", program.toString());
    args.addProperty("cwd", program.getParent().toString());
    args.addProperty("console", console);
    args.addProperty("justMyCode", false);
    return args;
  }

  /** Sends launch, answers {@code initialized} with breakpoints and configurationDone; returns the launch response. */
  static JsonObject launch(DapClient client, JsonObject launchArgs, JsonObject breakpoints, List<Path> verifiedPaths) {
    CompletableFuture<JsonObject> launch = client.send("launch", launchArgs);
    client.awaitEvent("initialized", b -> true);
    JsonObject set = client.call("setBreakpoints", breakpoints);
    for (var bp : set.getAsJsonArray("breakpoints")) {
      JsonObject b = bp.getAsJsonObject();
      assertTrue(b.get("verified").getAsBoolean(), "breakpoint not verified: " + set);
      if (b.has("source") && b.getAsJsonObject("source").has("path")) {
        assertTrue(verifiedPaths.contains(Path.of(b.getAsJsonObject("source").get("path").getAsString())),
            "a breakpoint names a path the client does not know: " + set);
      }
    }
    client.call("configurationDone", null);
    return client.await(launch, "launch");
  }

  @Test
  void debugpyLaunchStopsStepsAndEvaluatesInTheClientsPaths() throws IOException {
    Path app = local.resolve(DapPrograms.PY).resolve("app.py");
    try (DapProcess dap = dap(local.resolve(DapPrograms.PY), "--adapter", "debugpy")) {
      DapClient client = dap.client;
      initialize(client, "debugpy");
      JsonObject launched = launch(client, pythonLaunch(app, "internalConsole"),
          breakpoints(app, DapPrograms.APP_ADD_LINE, DapPrograms.APP_JOIN_LINE), List.of(app));
      assertTrue(launched.get("success").getAsBoolean(), "launch: " + launched);

      JsonObject stopped = DapClient.body(client.awaitStop(0));
      assertEquals("breakpoint", stopped.get("reason").getAsString());
      long threadId = stopped.get("threadId").getAsLong();
      JsonArray frames = stackTrace(client, threadId);
      assertEquals(app.toString(), framePath(frame(frames, 0)), "top frame in the client's path: " + frames);
      assertEquals(DapPrograms.APP_ADD_LINE, frameLine(frame(frames, 0)));
      assertEquals(app.toString(), framePath(frame(frames, 1)), "caller frame: " + frames);

      JsonObject evaluate = new JsonObject();
      evaluate.addProperty("expression", "a + b");
      evaluate.addProperty("frameId", frame(frames, 0).get("id").getAsLong());
      evaluate.addProperty("context", "repl");
      assertEquals("3", client.call("evaluate", evaluate).get("result").getAsString());

      client.call("next", thread(threadId));
      client.awaitStop(1);
      assertEquals(DapPrograms.APP_RETURN_LINE, frameLine(frame(stackTrace(client, threadId), 0)), "after next");

      client.call("continue", thread(threadId));
      client.awaitStop(2);
      assertEquals(DapPrograms.APP_JOIN_LINE, frameLine(frame(stackTrace(client, threadId), 0)), "second breakpoint");

      // Into the standard library: a file that exists on the host only, opened from a read-only copy.
      client.call("stepIn", thread(threadId));
      client.awaitStop(3);
      String stdlib = framePath(frame(stackTrace(client, threadId), 0));
      Path copy = Path.of(stdlib);
      assertTrue(copy.startsWith(tether.filesCache()), "the stdlib frame names a local copy: " + stdlib);
      assertTrue(copy.getFileName().toString().equals("posixpath.py"), stdlib);
      Path hostFile = Path.of("/").resolve(tether.filesCache().relativize(copy).subpath(1, tether.filesCache().relativize(copy).getNameCount()));
      assertEquals(Files.readString(hostFile), Files.readString(copy), "the copy has the host file's content");
      assertFalse(Files.getPosixFilePermissions(copy).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
          "the copy is read-only");

      client.call("continue", thread(threadId));
      JsonObject exited = client.awaitEvent("exited", b -> true);
      assertEquals(DapPrograms.APP_EXIT_CODE, DapClient.body(exited).get("exitCode").getAsInt());
      client.awaitEvent("terminated", b -> true);
      String stdout = client.output("stdout");
      assertTrue(stdout.contains("result 3 cwd " + remote.resolve(DapPrograms.PY)),
          "the program ran on the host, in the host's directory: " + stdout);
      client.call("disconnect", new JsonObject());
      client.close();
      assertEquals(0, dap.awaitExit(), dap.stderrText());
      assertEquals(List.of(), client.violations(), "seq/request_seq as the client saw them");
    }
  }

  /**
   * The same debugpy scenario driven by a third-party client: {@code @vscode/debugadapter-testsupport}'s
   * DebugClient (Node), installed by {@code ./run-tests} with {@code npm ci}. Missing node or packages
   * fail this test with what to run.
   */
  @Test
  void aThirdPartyDapClientDebugsThroughTether() throws Exception {
    Path packageDir = NodeClient.packageDir();
    Path app = local.resolve(DapPrograms.PY).resolve("app.py");
    List<String> command = new ArrayList<>(List.of("dap", HOST_ALIAS, "-F", sshConfig.toString(),
        "--map", local + "=" + remote, "--adapter", "debugpy"));
    ProcessBuilder tetherDap = tether.processBuilder(command, local);
    Path wrapper = base.resolve("tether-dap.sh");
    Files.writeString(wrapper, "#!/bin/sh\nexec " + tetherDap.command().stream().map(NodeClient::shellQuote)
        .reduce((a, b) -> a + " " + b).orElseThrow() + " 2>>" + NodeClient.shellQuote(base.resolve("logs").resolve("node-dap.stderr").toString()) + "\n");
    ProcessBuilder node = new ProcessBuilder(NodeClient.node(), "test.js", wrapper.toString(), app.toString(),
        Integer.toString(DapPrograms.APP_ADD_LINE), remote.resolve(DapPrograms.PY).toString(),
        Integer.toString(DapPrograms.APP_EXIT_CODE))
        .directory(packageDir.toFile()).redirectErrorStream(true);
    node.environment().clear();
    node.environment().putAll(tetherDap.environment());
    Process process = node.start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS), "node did not finish: " + output);
      assertEquals(0, process.exitValue(), "DebugClient through tether dap: " + output);
      assertTrue(output.contains("debugclient: breakpoint, stackTrace, evaluate, next, output, exit code: ok"), output);
    } finally {
      if (process.isAlive()) {
        Processes.endTree(process.toHandle());
      }
    }
  }

  @Test
  void integratedTerminalRunsTheDebuggeeOnTheHostInATetherTerminal() throws IOException {
    Path term = local.resolve(DapPrograms.PY).resolve("term.py");
    Path marker = remote.resolve(DapPrograms.PY).resolve("ran-here.txt");
    Files.deleteIfExists(marker);
    try (DapProcess dap = dap(local.resolve(DapPrograms.PY), "--adapter", "debugpy")) {
      DapClient client = dap.client;
      initialize(client, "debugpy");
      JsonObject launched = launch(client, pythonLaunch(term, "integratedTerminal"), breakpoints(term, DapPrograms.TERM_LINE), List.of(term));
      assertTrue(launched.get("success").getAsBoolean(), "launch: " + launched);
      long threadId = DapClient.body(client.awaitStop(0)).get("threadId").getAsLong();
      assertEquals(term.toString(), framePath(frame(stackTrace(client, threadId), 0)));

      assertTrue(Files.exists(marker), "the debuggee wrote its marker in the host's directory");
      assertFalse(Files.exists(local.resolve(DapPrograms.PY).resolve("ran-here.txt")), "nothing ran in the client's directory");
      long debuggee = Long.parseLong(Files.readString(marker).strip());
      assertTrue(Processes.commandLine(ProcessHandle.of(debuggee).orElseThrow()).contains(remote.resolve(DapPrograms.PY).resolve("term.py").toString()),
          "the debuggee runs the host's copy");

      TetherCli.Result list = tether.run("shell", HOST_ALIAS, "-F", sshConfig.toString(), "--list");
      assertEquals(0, list.exit(), list.toString());
      assertTrue(list.stdout().lines().anyMatch(l -> l.contains("debugpy") && l.contains(remote.resolve(DapPrograms.PY).resolve("term.py").toString())),
          "tether shell --list shows the debuggee's terminal: " + list.stdout());

      client.call("continue", thread(threadId));
      assertEquals(0, DapClient.body(client.awaitEvent("exited", b -> true)).get("exitCode").getAsInt());
      client.call("disconnect", new JsonObject());
      client.close();
      assertEquals(0, dap.awaitExit(), dap.stderrText());
      assertEquals(List.of(), client.violations());
    }
  }

  /**
   * debugpy's subprocess support: the child announces itself with {@code debugpyAttach}; the client starts
   * a second {@code tether dap --connect} to the port the event names (on the host), and debugs the child
   * while the parent stays stopped at its own breakpoint, through the same daemon session.
   */
  @Test
  void aSubprocessIsDebuggedInAChildSessionWhileTheParentStaysStopped() {
    Path parent = local.resolve(DapPrograms.PY).resolve("parent.py");
    Path child = local.resolve(DapPrograms.PY).resolve("child.py");
    try (DapProcess dap = dap(local.resolve(DapPrograms.PY), "--adapter", "debugpy")) {
      DapClient client = dap.client;
      initialize(client, "debugpy");
      launch(client, pythonLaunch(parent, "internalConsole"), breakpoints(parent, DapPrograms.PARENT_LINE), List.of(parent));
      long parentThread = DapClient.body(client.awaitStop(0)).get("threadId").getAsLong();
      JsonObject attach = DapClient.body(client.awaitEvent("debugpyAttach", b -> true));
      JsonObject connect = attach.getAsJsonObject("connect");
      String address = connect.get("host").getAsString() + ":" + connect.get("port").getAsInt();

      try (DapProcess childDap = dap(local.resolve(DapPrograms.PY), "--connect", address)) {
        DapClient childClient = childDap.client;
        initialize(childClient, "debugpy");
        CompletableFuture<JsonObject> attached = childClient.send("attach", attach);
        childClient.awaitEvent("initialized", b -> true);
        childClient.call("setBreakpoints", breakpoints(child, DapPrograms.CHILD_LINE));
        childClient.call("configurationDone", null);
        assertTrue(childClient.await(attached, "attach").get("success").getAsBoolean());
        long childThread = DapClient.body(childClient.awaitStop(0)).get("threadId").getAsLong();
        JsonObject childTop = frame(stackTrace(childClient, childThread), 0);
        assertEquals(child.toString(), framePath(childTop), "the child's frame in the client's path");
        assertEquals(DapPrograms.CHILD_LINE, frameLine(childTop));

        JsonObject parentTop = frame(stackTrace(client, parentThread), 0);
        assertEquals(parent.toString(), framePath(parentTop));
        assertEquals(DapPrograms.PARENT_LINE, frameLine(parentTop), "the parent is still stopped at its breakpoint");

        childClient.call("continue", thread(childThread));
        childClient.awaitEvent("terminated", b -> true);
        childClient.call("disconnect", new JsonObject());
        childClient.close();
        childDap.awaitExit();
        assertEquals(List.of(), childClient.violations());
      }
      client.call("continue", thread(parentThread));
      client.awaitEvent("terminated", b -> true);
      assertTrue(client.output("stdout").contains("parent saw child exit 0"), client.output("stdout"));
      client.call("disconnect", new JsonObject());
      client.close();
      assertEquals(0, dap.awaitExit(), dap.stderrText());
      assertEquals(List.of(), client.violations());
    }
  }

  /**
   * The SSH connection drops while the debuggee is stopped: the client is told (an {@code output} event,
   * category important) and told again once the daemon resumed the session; the same adapter goes on.
   */
  @Test
  void aDroppedConnectionIsShownToTheClientAndTheSessionGoesOn() {
    Path app = local.resolve(DapPrograms.PY).resolve("app.py");
    try (DapProcess dap = dap(local.resolve(DapPrograms.PY), "--adapter", "debugpy")) {
      DapClient client = dap.client;
      initialize(client, "debugpy");
      launch(client, pythonLaunch(app, "internalConsole"), breakpoints(app, DapPrograms.APP_ADD_LINE), List.of(app));
      long threadId = DapClient.body(client.awaitStop(0)).get("threadId").getAsLong();

      server.dropConnections();

      client.awaitEvent("output", b -> "important".equals(DapClient.string(b, "category"))
          && DapClient.string(b, "output").contains("lost"));
      client.awaitEvent("output", b -> "important".equals(DapClient.string(b, "category"))
          && DapClient.string(b, "output").contains("reconnected"));
      assertEquals(app.toString(), framePath(frame(stackTrace(client, threadId), 0)), "the same adapter answers");
      client.call("continue", thread(threadId));
      assertEquals(DapPrograms.APP_EXIT_CODE, DapClient.body(client.awaitEvent("exited", b -> true)).get("exitCode").getAsInt());
      client.call("disconnect", new JsonObject());
      client.close();
      assertEquals(0, dap.awaitExit(), dap.stderrText());
      assertEquals(List.of(), client.violations(), "seq stays consistent around the inserted events");
    }
  }

  /** {@code --connect} to a debugpy that listens on the host ({@code python3 -m debugpy --listen}). */
  @Test
  void connectReachesADebugpyListeningOnTheHost() throws Exception {
    int port = freePort();
    Path hostApp = remote.resolve(DapPrograms.PY).resolve("app.py");
    Process debuggee = new ProcessBuilder("/usr/bin/python3", "-m", "debugpy", "--listen", "127.0.0.1:" + port,
        "--wait-for-client", hostApp.toString())
        .directory(hostApp.getParent().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(base.resolve("logs").resolve("listening-debugpy.out").toFile())
        .redirectErrorStream(true).start();
    try {
      Path app = local.resolve(DapPrograms.PY).resolve("app.py");
      DapProcess dap = awaitListening(port);
      try (dap) {
        DapClient client = dap.client;
        JsonObject attachArgs = new JsonObject();
        attachArgs.addProperty("justMyCode", false);
        CompletableFuture<JsonObject> attach = client.send("attach", attachArgs);
        client.awaitEvent("initialized", b -> true);
        client.call("setBreakpoints", breakpoints(app, DapPrograms.APP_ADD_LINE));
        client.call("configurationDone", null);
        assertTrue(client.await(attach, "attach").get("success").getAsBoolean());
        long threadId = DapClient.body(client.awaitStop(0)).get("threadId").getAsLong();
        JsonObject top = frame(stackTrace(client, threadId), 0);
        assertEquals(app.toString(), framePath(top));
        assertEquals(DapPrograms.APP_ADD_LINE, frameLine(top));
        client.call("continue", thread(threadId));
        assertTrue(debuggee.waitFor(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS), "the debuggee finished");
        assertEquals(DapPrograms.APP_EXIT_CODE, debuggee.exitValue());
        client.close();
        dap.awaitExit();
      }
    } finally {
      if (debuggee.isAlive()) {
        Processes.endTree(debuggee.toHandle());
      }
    }
  }

  /**
   * The listening debugpy opens its port a moment after it starts: a refused {@code --connect} answers
   * initialize with an error (which is also what this polls for), so try until one is accepted.
   */
  private DapProcess awaitListening(int port) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      DapProcess dap = dap(local.resolve(DapPrograms.PY), "--connect", Integer.toString(port));
      JsonObject response = dap.client.await(dap.client.send("initialize", initializeArgs()), "initialize");
      if (response.get("success").getAsBoolean()) {
        return dap;
      }
      assertTrue(response.get("message").getAsString().contains("127.0.0.1:" + port), response.toString());
      dap.close();
      if (System.nanoTime() > deadline) {
        throw new AssertionError("debugpy did not listen on " + port + " within 30 s: " + response);
      }
    }
  }

  private static JsonObject initializeArgs() {
    JsonObject args = new JsonObject();
    args.addProperty("adapterID", "debugpy");
    args.addProperty("pathFormat", "path");
    args.addProperty("linesStartAt1", true);
    return args;
  }

  @Test
  void lldbDapStopsInACProgramBuiltOnTheHost() throws Exception {
    Path binary = DapPrograms.compileOnHost(remote);
    Path source = local.resolve(DapPrograms.C).resolve("prog.c");
    Path localBinary = local.resolve(DapPrograms.C).resolve(binary.getFileName());
    try (DapProcess dap = dap(local.resolve(DapPrograms.C), "--adapter", "lldb-dap")) {
      DapClient client = dap.client;
      initialize(client, "lldb-dap");
      JsonObject args = new JsonObject();
      args.addProperty("program", localBinary.toString());
      args.addProperty("cwd", localBinary.getParent().toString());
      launch(client, args, breakpoints(source, DapPrograms.C_LINE - 1), List.of(source));
      long threadId = DapClient.body(client.awaitStop(0)).get("threadId").getAsLong();
      JsonArray frames = stackTrace(client, threadId);
      JsonObject top = frame(frames, 0);
      assertEquals(source.toString(), framePath(top), "lldb's frame in the client's path: " + frames);
      assertEquals(DapPrograms.C_LINE - 1, frameLine(top));
      client.call("next", thread(threadId));
      client.awaitStop(1);
      JsonObject scopesArgs = new JsonObject();
      scopesArgs.addProperty("frameId", frame(stackTrace(client, threadId), 0).get("id").getAsLong());
      JsonArray scopes = client.call("scopes", scopesArgs).getAsJsonArray("scopes");
      JsonObject variablesArgs = new JsonObject();
      variablesArgs.addProperty("variablesReference", scopes.get(0).getAsJsonObject().get("variablesReference").getAsLong());
      JsonArray variables = client.call("variables", variablesArgs).getAsJsonArray("variables");
      assertTrue(variables.toString().contains("\"name\":\"total\"") && variables.toString().contains("\"value\":\"42\""),
          "locals after total = a + b: " + variables);
      client.call("continue", thread(threadId));
      assertEquals(0, DapClient.body(client.awaitEvent("exited", b -> true)).get("exitCode").getAsInt());
      client.call("disconnect", new JsonObject());
      client.close();
      dap.awaitExit();
      // lldb-dap 19 numbers all its messages 0: only the answers' request_seq can be checked.
      assertEquals(List.of(), client.violations().stream().filter(v -> !v.startsWith("seq ")).toList());
    }
  }

  /** {@code --listen}: one adapter per TCP client on loopback; any other address is refused. */
  @Test
  void listenServesClientsOnLoopbackOnly() throws Exception {
    TetherCli.Result refused = tether.run("dap", HOST_ALIAS, "-F", sshConfig.toString(), "--listen", "0.0.0.0:0",
        "--adapter", "debugpy");
    assertNotEquals(0, refused.exit(), refused.toString());
    assertTrue(refused.stderr().contains("loopback"), refused.toString());

    int port = freePort();
    Process listening = tether.spawn("dap", HOST_ALIAS, "-F", sshConfig.toString(), "--map", local + "=" + remote,
        "--listen", "127.0.0.1:" + port, "--adapter", "debugpy");
    try {
      java.net.Socket socket = connectWithin(port, Duration.ofSeconds(30), listening);
      try (socket; DapClient client = new DapClient(socket.getInputStream(), socket.getOutputStream(), "listen")) {
        JsonObject capabilities = initialize(client, "debugpy");
        assertTrue(capabilities.get("supportsConfigurationDoneRequest").getAsBoolean(), capabilities.toString());
        client.call("disconnect", new JsonObject());
      }
      assertAnotherUserIsRefused(port);
    } finally {
      Processes.endTree(listening.toHandle());
    }
  }

  /**
   * Another local account connects to the loopback port (as {@code nobody}, through runuser: the suite
   * runs as root, as ./run-tests does in CI) and sends initialize: the connection is closed unanswered.
   */
  private void assertAnotherUserIsRefused(int port) throws Exception {
    assertEquals(0L, new com.sun.security.auth.module.UnixSystem().getUid(), "this check connects as another user, which needs root "
        + "(./run-tests runs as root in CI)");
    String script = "import socket\n"
        + "s = socket.create_connection(('127.0.0.1', " + port + "))\n"
        + "body = b'{\"seq\":1,\"type\":\"request\",\"command\":\"initialize\",\"arguments\":{}}'\n"
        + "s.sendall(b'Content-Length: %d\\r\\n\\r\\n' % len(body) + body)\n"
        + "s.settimeout(30)\n"
        + "print('answer:', repr(s.recv(4096)))\n";
    Process other = new ProcessBuilder("runuser", "-u", "nobody", "--", "/usr/bin/python3", "-c", script)
        .redirectErrorStream(true).start();
    String output = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(other.waitFor(60, TimeUnit.SECONDS), output);
    assertEquals("answer: b''", output.strip(), "a client of another uid gets nothing but a closed connection");
  }

  /** The listener binds after the CLI started; a refused connect is what this polls, with a deadline. */
  private static java.net.Socket connectWithin(int port, Duration wait, Process cli) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        return new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port);
      } catch (java.net.ConnectException notYet) {
        if (!cli.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("tether dap --listen did not accept on " + port + " (alive: " + cli.isAlive() + ")");
        }
        try {
          cli.waitFor(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  @Test
  void anUnknownAdapterIsAnErrorResponseToInitialize() {
    try (DapProcess dap = dap(local, "--adapter", "nosuch")) {
      JsonObject response = dap.client.await(dap.client.send("initialize", initializeArgs()), "initialize");
      assertFalse(response.get("success").getAsBoolean());
      String message = response.get("message").getAsString();
      assertTrue(message.contains("unknown debug adapter 'nosuch'") && message.contains("debugpy")
          && message.contains("lldb-dap"), message);
      dap.client.call("disconnect", new JsonObject());
      assertEquals(1, dap.awaitExit());
    }
  }

  /** A Python without debugpy (site-packages off): initialize is answered with the adapter's own complaint. */
  @Test
  void anAdapterThatCannotStartAnswersInitializeWithWhatIsMissing() {
    try (DapProcess dap = dap(local, "--", "/usr/bin/python3", "-S", "-m", "debugpy.adapter")) {
      JsonObject response = dap.client.await(dap.client.send("initialize", initializeArgs()), "initialize");
      assertFalse(response.get("success").getAsBoolean(), response.toString());
      assertTrue(response.get("message").getAsString().contains("No module named 'debugpy'"), response.toString());
      dap.client.awaitEvent("terminated", b -> true);
      dap.client.await(dap.client.send("disconnect", new JsonObject()), "disconnect");
      assertNotEquals(0, dap.awaitExit());
    }
  }

  @Test
  void aProgramThatDoesNotExistOnTheHostIsReported() {
    Path missing = local.resolve(DapPrograms.PY).resolve("missing.py");
    try (DapProcess dap = dap(local.resolve(DapPrograms.PY), "--adapter", "debugpy")) {
      DapClient client = dap.client;
      initialize(client, "debugpy");
      CompletableFuture<JsonObject> launch = client.send("launch", pythonLaunch(missing, "internalConsole"));
      client.awaitEvent("initialized", b -> true);
      client.call("configurationDone", null);
      JsonObject response = client.await(launch, "launch");
      if (response.get("success").getAsBoolean()) {
        JsonObject exited = client.awaitEvent("exited", b -> true);
        assertNotEquals(0, DapClient.body(exited).get("exitCode").getAsInt());
        String stderr = client.output("stderr");
        assertTrue(stderr.contains(remote.resolve(DapPrograms.PY).resolve("missing.py").toString())
            && stderr.contains("No such file"), "the debuggee's complaint reaches the client: " + stderr);
      } else {
        assertTrue(response.get("message").getAsString().contains("missing.py"), response.toString());
      }
      client.call("disconnect", new JsonObject());
      client.close();
      dap.awaitExit();
    }
  }

  @Test
  void anUnreachableHostIsAnErrorResponseNotAHang() throws IOException {
    int closed = freePort();
    List<String> command = List.of("dap", "-p", Integer.toString(closed), "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=no", "127.0.0.1", "--adapter", "debugpy");
    try (DapProcess dap = dapRaw(local, command)) {
      JsonObject response = dap.client.await(dap.client.send("initialize", initializeArgs()), "initialize");
      assertFalse(response.get("success").getAsBoolean(), response.toString());
      assertTrue(response.get("message").getAsString().toLowerCase().contains("refused"), response.toString());
      dap.client.close();
      assertEquals(1, dap.awaitExit());
    }
  }

  /** kill -9 of the client's tether dap: the agent ends the adapter and the debuggee within 10 s. */
  @Test
  void killingTheClientEndsAdapterAndDebuggeeOnTheHost() {
    Path app = local.resolve(DapPrograms.PY).resolve("app.py");
    try (DapProcess dap = dap(local.resolve(DapPrograms.PY), "--adapter", "debugpy")) {
      DapClient client = dap.client;
      initialize(client, "debugpy");
      launch(client, pythonLaunch(app, "internalConsole"), breakpoints(app, DapPrograms.APP_ADD_LINE), List.of(app));
      client.awaitStop(0);
      long debuggeePid = DapClient.body(client.awaitEvent("process", b -> true)).get("systemProcessId").getAsLong();
      List<ProcessHandle> hostSide = new ArrayList<>(debugpyProcesses());
      ProcessHandle debuggee = ProcessHandle.of(debuggeePid).orElseThrow(() -> new AssertionError("debuggee gone already"));
      if (!hostSide.contains(debuggee)) {
        hostSide.add(debuggee);
      }
      assertTrue(hostSide.stream().anyMatch(p -> Processes.commandLine(p).contains("debugpy.adapter")),
          "the adapter runs under the agent: " + Processes.describe(hostSide));

      dap.process.destroyForcibly();
      assertEquals(List.of(), Processes.survivors(hostSide, Duration.ofSeconds(10)),
          "adapter and debuggee still running 10 s after kill -9 of the client");
    }
  }

  /** The same with the debuggee in a host terminal (integratedTerminal): it ends too. */
  @Test
  void killingTheClientEndsADebuggeeRunningInAHostTerminal() throws IOException {
    Path term = local.resolve(DapPrograms.PY).resolve("term.py");
    Path marker = remote.resolve(DapPrograms.PY).resolve("ran-here.txt");
    Files.deleteIfExists(marker);
    try (DapProcess dap = dap(local.resolve(DapPrograms.PY), "--adapter", "debugpy")) {
      DapClient client = dap.client;
      initialize(client, "debugpy");
      launch(client, pythonLaunch(term, "integratedTerminal"), breakpoints(term, DapPrograms.TERM_LINE), List.of(term));
      client.awaitStop(0);
      ProcessHandle debuggee = ProcessHandle.of(Long.parseLong(Files.readString(marker).strip()))
          .orElseThrow(() -> new AssertionError("debuggee gone already"));
      List<ProcessHandle> hostSide = new ArrayList<>(debugpyProcesses());
      if (!hostSide.contains(debuggee)) {
        hostSide.add(debuggee);
      }
      dap.process.destroyForcibly();
      assertEquals(List.of(), Processes.survivors(hostSide, Duration.ofSeconds(10)),
          "adapter, launcher and debuggee still running 10 s after kill -9 of the client");
    }
  }

  @Test
  void doctorListsTheAdaptersTheHostHas() {
    TetherCli.Result doctor = tether.run("doctor", HOST_ALIAS, "-F", sshConfig.toString());
    assertEquals(0, doctor.exit(), doctor.toString());
    List<String> lines = doctor.stdout().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("debug adapter") && l.contains("debugpy:")), doctor.stdout());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("debug adapter") && l.contains("lldb-dap:")
        && l.contains("lldb-dap-")), "lldb-dap found as its versioned name: " + doctor.stdout());
  }

  /** debugpy processes (adapter, launcher, debuggee) under this suite's agent daemons. */
  List<ProcessHandle> debugpyProcesses() {
    List<ProcessHandle> out = new ArrayList<>();
    for (ProcessHandle agent : Processes.agentDaemonsOf(server)) {
      agent.descendants().filter(p -> Processes.commandLine(p).contains("debugpy")).forEach(out::add);
    }
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
        try {
          p.toFile().setWritable(true);
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
