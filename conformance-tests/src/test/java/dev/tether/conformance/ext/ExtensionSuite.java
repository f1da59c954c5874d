package dev.tether.conformance.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.ext.ExtensionClient;
import dev.tether.adapters.ext.ExtensionClient.Extension;
import dev.tether.adapters.ext.ExtensionList;
import dev.tether.adapters.ext.Framing;
import dev.tether.adapters.sys.SysClient;
import dev.tether.adapters.sys.SysService;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.ssh.Prompter;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Workspace extensions ({@code ext} channels, {@code ext/list}, {@code tether ext}) end to end: the
 * real CLI and daemon, the real agent reached the way each subclass says (a local child process,
 * MINA SSHD, OpenSSH), and a real JSON-RPC program in Python ({@code /usr/bin/python3}) declared in
 * a workspace's {@code .tether/extensions.json}, in both framings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ExtensionSuite {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String PYTHON = "/usr/bin/python3";

  Path base;
  Path workspace;
  Path script;
  TetherCli tether;
  DaemonClient daemon;
  ChannelOpener host;
  private int nextId;

  /** DESTINATION and its connection flags, as the CLI takes them. */
  abstract List<String> destination();

  /** Starts what the destination needs (an SSH server); called first. */
  abstract void startHost(Path base) throws IOException;

  /** Environment for the first command, which starts the daemon (and so the agent, for {@code local}). */
  Map<String, String> daemonEnvironment() {
    return Map.of();
  }

  abstract void stopHost();

  @BeforeAll
  void setUp() throws Exception {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      throw new AssertionError("the test extension runs under " + PYTHON + ": apt-get install -y python3");
    }
    base = Files.createTempDirectory("tether-ext-");
    startHost(base);
    workspace = Files.createDirectories(base.resolve("workspace"));
    script = workspace.resolve("echo_ext.py");
    try (InputStream in = ExtensionSuite.class.getResourceAsStream("/ext/echo_ext.py")) {
      Files.copy(in, script);
    }
    Files.createDirectories(workspace.resolve("tools"));
    writeManifest(workspace, """
        {"extensions": [
          {"name": "echo", "argv": ["%1$s", "../echo_ext.py"], "cwd": "tools"},
          {"name": "echo-lines", "argv": ["%1$s", "%2$s", "newline"], "framing": "newline", "env": {"GREETING": "hello"}}
        ]}
        """.formatted(PYTHON, script));
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
    TetherCli.Result list = firstCommand();
    assertEquals(0, list.exit(), "tether ext --list: " + list);
    assertEquals(List.of("echo\tcontent-length\t" + PYTHON + " ../echo_ext.py",
        "echo-lines\tnewline\t" + PYTHON + " " + script + " newline"), list.stdout().lines().toList(), list.toString());
    assertFalse(list.stderr().contains("extensions.json"), "no problem reported for a good manifest (only the"
        + " connection's progress): " + list.stderr());
    daemon = DaemonClient.connect(new DaemonPaths(tether.runtimeDir()), false, line -> {}, Prompter.unavailable());
    List<String> flags = destination().subList(1, destination().size());
    host = daemon.opener(new RemoteSpec(destination().get(0), flags, null));
  }

  /** {@code tether ext DEST --list --workspace WS}, started with {@link #daemonEnvironment}: it starts the daemon. */
  private TetherCli.Result firstCommand() throws Exception {
    List<String> args = cli("--list", "--workspace", workspace.toString());
    ProcessBuilder builder = tether.processBuilder(args, base);
    builder.environment().putAll(daemonEnvironment());
    Path out = base.resolve("first.stdout");
    Path err = base.resolve("first.stderr");
    Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "tether ext --list did not finish: " + Files.readString(err));
    } finally {
      Processes.endTree(process.toHandle());
    }
    return new TetherCli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @AfterAll
  void tearDown() throws IOException {
    try {
      if (daemon != null) {
        daemon.close();
      }
      if (tether != null) {
        tether.close();
      }
    } finally {
      stopHost();
      deleteTree(base);
    }
  }

  /** {@code ext DESTINATION FLAGS... MORE...}. */
  List<String> cli(String... more) {
    List<String> args = new ArrayList<>(List.of("ext"));
    args.addAll(destination());
    args.addAll(List.of(more));
    return args;
  }

  // ---- the Java client API --------------------------------------------------------------------

  @Test
  void namedExtensionsAnswerInBothFramingsWithTheirDeclaredDirectoryAndEnvironment() throws Exception {
    try (Extension echo = ExtensionClient.open(host, workspace.toString(), "echo")) {
      assertEquals("echo", echo.name());
      assertEquals(Framing.CONTENT_LENGTH, echo.framing());
      assertEquals(JsonParser.parseString("{\"text\":\"h\u00e9llo\",\"n\":[1,2]}"),
          call(echo, "echo", "{\"text\":\"h\u00e9llo\",\"n\":[1,2]}").get("result"));
      assertEquals(workspace.resolve("tools").toString(), call(echo, "where", "{}").getAsJsonObject("result").get("cwd").getAsString(),
          "a relative cwd is the workspace's subdirectory");
    }
    try (Extension lines = ExtensionClient.open(host, workspace.toString(), "echo-lines")) {
      assertEquals(Framing.NEWLINE, lines.framing());
      // A pretty-printed message: its newlines (whitespace between JSON tokens) must not split it.
      assertEquals(JsonParser.parseString("{\"a\": 1,\n \"b\": \"two\"}"), call(lines, "echo", "{\"a\": 1,\n \"b\": \"two\"}").get("result"));
      JsonObject where = call(lines, "where", "{}").getAsJsonObject("result");
      assertEquals(workspace.toString(), where.get("cwd").getAsString(), "the default cwd is the workspace");
      assertEquals("hello", where.get("GREETING").getAsString(), "env from the manifest");
    }
  }

  @Test
  void anArgvRunsWithoutAShellAndItsArgumentsStayOutOfTheAgentLogAtInfo() throws Exception {
    String secret = "--token=SECRET-" + UUID.randomUUID();
    String shellish = "$(touch pwned); echo `id` > pwned2";
    List<String> argv = List.of(PYTHON, script.toString(), "newline", secret, shellish);
    try (Extension run = ExtensionClient.run(host, argv, workspace.toString(), Map.of(), Framing.NEWLINE)) {
      assertEquals("python3", run.name(), "an argv extension is named by its program");
      List<String> seen = new ArrayList<>();
      call(run, "argv", "{}").getAsJsonArray("result").forEach(word -> seen.add(word.getAsString()));
      assertEquals(List.of(script.toString(), "newline", secret, shellish), seen, "the words arrive as given, no shell between");
    }
    assertFalse(Files.exists(workspace.resolve("pwned")) || Files.exists(workspace.resolve("pwned2")), "no shell ran the words");
    List<String> log = awaitLog("extension python3 started");
    assertTrue(log.stream().noneMatch(line -> line.contains(secret)), "argv is logged at DEBUG only: " + log);
  }

  @Test
  void stderrGoesToTheAgentLogNeverIntoTheChannel() throws Exception {
    String marker = "stderr-marker-" + UUID.randomUUID();
    try (Extension echo = ExtensionClient.open(host, workspace.toString(), "echo")) {
      assertTrue(call(echo, "stderr", "{\"text\":\"" + marker + "\"}").get("result").isJsonNull());
      assertEquals(JsonParser.parseString("\"after\""), call(echo, "echo", "\"after\"").get("result"),
          "the next message on the channel is the next answer, not a stderr line");
    }
    List<String> log = awaitLog(marker);
    assertTrue(log.stream().anyMatch(line -> line.contains("[extension echo (pid ") && line.contains(marker)),
        "the stderr line is in the agent log with the extension's name: " + log);
  }

  @Test
  void closingTheChannelEndsTheWholeProcessGroupDoubleForkedChildIncluded() throws Exception {
    for (boolean reset : List.of(false, true)) {
      long pid;
      long grandchild;
      Extension echo = ExtensionClient.open(host, workspace.toString(), "echo");
      try {
        JsonObject spawned = call(echo, "spawn", "{}").getAsJsonObject("result");
        pid = spawned.get("pid").getAsLong();
        grandchild = spawned.get("grandchild").getAsLong();
        assertEquals(echo.pid(), pid, "OPEN_OK's pid is the extension's own (setsid execs in place)");
        assertNotEquals(pid, grandchild);
        assertTrue(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false), "the double-forked sleep runs");
        assertTrue(ProcessHandle.of(grandchild).flatMap(h -> h.parent()).map(p -> p.pid() != pid).orElse(true),
            "the sleep is no child of the extension (double fork): only its session ties it to the group");
      } finally {
        if (reset) {
          echo.channel().reset(ErrorCode.CANCELLED, "the test resets the channel");
        } else {
          echo.close(); // the extension ignores its stdin's end and SIGTERM from here on
        }
      }
      for (long gone : List.of(pid, grandchild)) {
        ProcessHandle.of(gone).ifPresent(h -> assertTrue(Processes.awaitExit(h, WAIT),
            "pid " + gone + " must end with the channel (" + (reset ? "reset" : "closed") + ")"));
      }
    }
  }

  @Test
  void anExtensionThatFailsResetsTheChannelWithItsStatusAndLastStderrLine() throws Exception {
    try (Extension echo = ExtensionClient.open(host, workspace.toString(), "echo")) {
      echo.send(request("die", "{\"text\":\"dying on purpose\",\"status\":3}"));
      MuxException failed = assertThrows(MuxException.class, () -> {
        while (echo.receive() != null) {
          // nothing else is expected
        }
      });
      assertEquals(ErrorCode.SERVICE_ERROR, failed.code());
      assertTrue(failed.reason().matches("extension echo \\(pid \\d+\\) exited with status 3; its last stderr line: dying on purpose"),
          failed.reason());
    }
  }

  // ---- manifest errors ------------------------------------------------------------------------

  @Test
  void manifestErrorsAreOpenFailuresNamingTheFileAndTheField() throws Exception {
    Path bad = Files.createDirectories(base.resolve("bad-types"));
    Path file = writeManifest(bad, """
        {"extensions": [
          {"name": "noargv"},
          {"name": "strargv", "argv": "python3 x.py"},
          {"name": "numargv", "argv": ["python3", 7]},
          {"name": "badenv", "argv": ["x"], "env": {"N": 1}},
          {"name": "badframing", "argv": ["x"], "framing": "xml"},
          {"name": "badcwd", "argv": ["x"], "cwd": 5},
          {"name": "typo", "args": ["x"]},
          {"name": "fine", "argv": ["/bin/cat"]},
          {"name": "fine", "argv": ["/bin/cat"]},
          "not an object"
        ]}
        """);
    String f = file.toString();
    assertRefused(bad, "noargv", f + ": extension \"noargv\": \"argv\" must be a non-empty array of strings");
    assertRefused(bad, "strargv", f + ": extension \"strargv\": \"argv\" must be a non-empty array of strings");
    assertRefused(bad, "numargv", f + ": extension \"numargv\": \"argv\" must be a non-empty array of strings");
    assertRefused(bad, "badenv", f + ": extension \"badenv\": \"env\" must be an object whose values are strings (\"N\" is not)");
    assertRefused(bad, "badframing", f + ": extension \"badframing\": \"framing\" must be \"content-length\" or \"newline\", not \"xml\"");
    assertRefused(bad, "badcwd", f + ": extension \"badcwd\": \"cwd\" must be a string");
    assertRefused(bad, "typo", f + ": extension \"typo\": unknown field \"args\" (known: name, argv, cwd, env, framing)");
    assertRefused(bad, "fine", f + ": extension \"fine\": is declared more than once");
    assertRefused(workspace, "nope", workspace.resolve(".tether/extensions.json") + ": no extension \"nope\"; it declares echo, echo-lines");

    ExtensionList list = ExtensionClient.list(host, bad.toString());
    assertTrue(list.exists);
    assertEquals(List.of(), list.extensions, "no usable entry");
    assertEquals(9, list.problems.size(), "one problem per bad entry: " + list.problems);
    assertTrue(list.problems.contains(f + ": extension #10: must be an object"), list.problems.toString());

    Path missing = Files.createDirectories(base.resolve("no-manifest"));
    assertRefused(missing, "fmt", missing.resolve(".tether/extensions.json") + ": no such file, so the workspace declares no extension \"fmt\"");
    ExtensionList none = ExtensionClient.list(host, missing.toString());
    assertFalse(none.exists);
    assertEquals(List.of(), none.extensions);

    Path broken = Files.createDirectories(base.resolve("bad-json"));
    Path brokenFile = writeManifest(broken, "{\"extensions\": [{\"name\": \"x\", ");
    ChannelOpenException json = assertThrows(ChannelOpenException.class, () -> ExtensionClient.open(host, broken.toString(), "x"));
    assertTrue(json.reason().startsWith(brokenFile + ": not valid JSON: "), json.reason());
    IOException listJson = assertThrows(IOException.class, () -> ExtensionClient.list(host, broken.toString()));
    assertTrue(listJson.getMessage().startsWith(brokenFile + ": not valid JSON: "), listJson.getMessage());

    Path fifo = Files.createDirectories(base.resolve("fifo").resolve(".tether"));
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.resolve("extensions.json").toString()).start();
    assertEquals(0, mkfifo.waitFor());
    assertRefused(fifo.getParent(), "x", fifo.resolve("extensions.json") + ": not a regular file");
    assertRefused(base.resolve("nowhere"), "x", "workspace " + base.resolve("nowhere") + " is not a directory on the host");
    assertRefused(Path.of("relative/ws"), "x", "the workspace must be an absolute path on the host, not 'relative/ws'");

    ChannelOpenException neither = assertThrows(ChannelOpenException.class,
        () -> host.open(ChannelKinds.EXT, ChannelFlavour.MESSAGES, "{\"workspace\": \"/tmp\"}"));
    assertEquals("an ext channel needs exactly one of \"name\" (with \"workspace\") or \"command\"", neither.reason());
    ChannelOpenException relative = assertThrows(ChannelOpenException.class,
        () -> ExtensionClient.run(host, List.of("/bin/cat"), "tools", null, Framing.NEWLINE));
    assertEquals("\"cwd\" must be an absolute path on the host, not 'tools'", relative.reason());
    ChannelOpenException program = assertThrows(ChannelOpenException.class,
        () -> ExtensionClient.run(host, List.of("/no/such/extension"), null, null, Framing.NEWLINE));
    assertEquals(ErrorCode.SERVICE_ERROR, program.code());
    assertTrue(program.reason().startsWith("cannot start extension extension on the host: "), program.reason());
  }

  // ---- tether ext on stdio --------------------------------------------------------------------

  @Test
  void tetherExtCarriesTheExtensionOnStdioInItsOwnFraming() throws Exception {
    Process named = tether.startPiped(base, cli("--workspace", workspace.toString(), "echo").toArray(String[]::new));
    byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"caf\u00e9\"]}".getBytes(StandardCharsets.UTF_8);
    BaseProtocol.write(named.getOutputStream(), body);
    byte[] answer = new BaseProtocol.Reader(named.getInputStream(), 1 << 20).read();
    assertEquals(JsonParser.parseString("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[\"caf\u00e9\"]}"),
        JsonParser.parseString(new String(answer, StandardCharsets.UTF_8)));
    named.getOutputStream().close();
    assertExit(named, 0, "");
    assertEquals(-1, named.getInputStream().read(), "nothing after the answer on stdout");

    Process argv = tether.startPiped(base, cli("--workspace", workspace.toString(), "--framing", "newline", "--",
        PYTHON, script.toString(), "newline").toArray(String[]::new));
    OutputStream in = argv.getOutputStream();
    in.write("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"where\"}\n{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"echo\",\"params\":7}\n"
        .getBytes(StandardCharsets.UTF_8));
    in.close();
    List<String> lines = new String(argv.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertEquals(2, lines.size(), "two answers, one per line: " + lines);
    assertEquals(workspace.toString(), JsonParser.parseString(lines.get(0)).getAsJsonObject().getAsJsonObject("result").get("cwd").getAsString());
    assertEquals(JsonParser.parseString("{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"result\":7}"), JsonParser.parseString(lines.get(1)));
    assertExit(argv, 0, "");

    Process unknown = tether.startPiped(base, cli("--workspace", workspace.toString(), "nope").toArray(String[]::new));
    unknown.getOutputStream().close();
    assertEquals(-1, unknown.getInputStream().read(), "nothing on stdout when the open fails");
    assertExit(unknown, 1, "tether: " + workspace.resolve(".tether/extensions.json") + ": no extension \"nope\"; it declares echo, echo-lines\n");
  }

  @Test
  void tetherExtOfAnUnreachableHostExitsWith255() throws Exception {
    TetherCli.Result result = tether.run("ext", "127.0.0.1", "-p", "1", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
        "--workspace", workspace.toString(), "echo");
    assertEquals(255, result.exit(), result.toString());
    assertEquals("", result.stdout());
    assertEquals(1, result.stderr().lines().filter(line -> line.startsWith("tether: cannot connect to 127.0.0.1:1: ")).count(),
        "one line says why (the others are the connection's progress): " + result.stderr());
  }

  @Test
  void tetherExtListReportsEachBadEntryOnStderrAndExits1() throws Exception {
    Path mixed = Files.createDirectories(base.resolve("mixed"));
    Path file = writeManifest(mixed, "{\"extensions\": [{\"name\": \"ok\", \"argv\": [\"/bin/cat\"]}, {\"name\": \"bad\", \"argv\": []}]}");
    TetherCli.Result result = tether.run(cli("--list", "--workspace", mixed.toString()).toArray(String[]::new));
    assertEquals(1, result.exit(), result.toString());
    assertEquals("ok\tcontent-length\t/bin/cat\n", result.stdout());
    assertEquals("tether: " + file + ": extension \"bad\": \"argv\" must be a non-empty array of strings\n", result.stderr());
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void assertRefused(Path dir, String name, String reason) {
    ChannelOpenException refused = assertThrows(ChannelOpenException.class, () -> ExtensionClient.open(host, dir.toString(), name),
        "opening " + name + " in " + dir);
    assertEquals(ErrorCode.CHANNEL_REFUSED, refused.code(), refused.reason());
    assertEquals(reason, refused.reason());
  }

  private static void assertExit(Process process, int status, String stderr) throws Exception {
    assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "tether ext must exit");
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(stderr, err);
    assertEquals(status, process.exitValue(), "exit status; stderr: " + err);
  }

  private static Path writeManifest(Path dir, String json) throws IOException {
    Path file = Files.createDirectories(dir.resolve(".tether")).resolve("extensions.json");
    Files.writeString(file, json);
    return file;
  }

  private byte[] request(String method, String params) {
    return ("{\"jsonrpc\":\"2.0\",\"id\":" + (++nextId) + ",\"method\":\"" + method + "\",\"params\":" + params + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Sends a request and returns the response with its id. */
  private JsonObject call(Extension extension, String method, String params) throws IOException {
    extension.send(request(method, params));
    int id = nextId;
    byte[] message;
    while ((message = extension.receive()) != null) {
      JsonObject response = JsonParser.parseString(new String(message, StandardCharsets.UTF_8)).getAsJsonObject();
      JsonElement answered = response.get("id");
      if (answered != null && answered.isJsonPrimitive() && answered.getAsInt() == id) {
        return response;
      }
    }
    throw new AssertionError(method + ": the extension ended without answering");
  }

  /** The agent log's tail, once a line contains {@code text} (the log is written as lines arrive). */
  private List<String> awaitLog(String text) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Channel channel = host.open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
      try {
        List<String> lines = SysClient.over(channel).log(new SysService.LogRequest(2000)).get(30, TimeUnit.SECONDS);
        if (lines.stream().anyMatch(line -> line.contains(text)) || System.nanoTime() > deadline) {
          assertTrue(lines.stream().anyMatch(line -> line.contains(text)), "the agent log never showed '" + text + "': " + lines);
          return lines;
        }
      } finally {
        channel.close();
      }
      Thread.sleep(100); // polling the log: no event says a line was written
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
