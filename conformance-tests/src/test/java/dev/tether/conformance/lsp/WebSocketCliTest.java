package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tether.conformance.lsp.Lsp.Position;
import dev.tether.conformance.ws.CuttingProxy;
import dev.tether.conformance.ws.ServeProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The CLI over {@code ws://} and {@code wss://} destinations, end to end: the real agent jar running
 * {@code tether-remote serve} with a HOME of its own, the real CLI and daemon, pylsp on the "host";
 * a TCP proxy in between where a test cuts the connection or captures the bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketCliTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private Path base;
  private Path local;
  private Path remote;
  private ServeProcess ws;
  private ServeProcess wss;
  private CuttingProxy wsProxy;
  private CuttingProxy wssProxy;
  private TetherCli tether;

  @BeforeAll
  void start() throws Exception {
    Requirements.languageServers();
    base = Files.createTempDirectory("tether-ws-cli-");
    local = base.resolve("local");
    remote = base.resolve("remote");
    Projects.write(local, remote);
    // localhost is allowed as a Host at any port: the proxies are reached by that name.
    ws = ServeProcess.start(Files.createDirectories(base.resolve("home-ws")), "--listen", "127.0.0.1:0",
        "--allow-host", "localhost");
    wss = ServeProcess.start(Files.createDirectories(base.resolve("home-wss")), "--listen", "127.0.0.1:0",
        "--tls-self-signed", "--allow-host", "localhost");
    assertTrue(ws.port > 0 && wss.port > 0, "serve did not start: " + ws.output + wss.output);
    assertTrue(wss.fingerprint != null, "serve --tls-self-signed printed no fingerprint: " + wss.output);
    wsProxy = new CuttingProxy(ws.port);
    wssProxy = new CuttingProxy(wss.port);
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterEach
  void endCommands() {
    tether.endCommands();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (tether != null) {
        tether.close();
      }
      for (AutoCloseable closeable : new AutoCloseable[] {wsProxy, wssProxy, ws, wss}) {
        if (closeable != null) {
          closeable.close();
        }
      }
    } finally {
      Projects.deleteTree(base);
    }
  }

  private List<String> wsArgs(String url, String... more) {
    List<String> args = new ArrayList<>(List.of(url, "--token-file", ws.tokenFile().toString()));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void pylspServesTheEditorOverWs() {
    Path project = local.resolve(Projects.PYTHON);
    String app = Projects.read(project.resolve("app.py"));
    String appUri = Lsp.uri(project.resolve("app.py"));
    try (TetherCli.LspProcess cli = tether.lsp(project, wsArgs(ws.url(), "--map", local + "=" + remote, "--server", "pylsp"))) {
      LspEditor editor = cli.editor();
      editor.call("initialize", Lsp.initializeParams(project));
      editor.notify("initialized", new JsonObject());
      editor.notify("textDocument/didOpen", Lsp.didOpen(appUri, "python", app));
      JsonObject diagnostics = editor.awaitNotification("textDocument/publishDiagnostics",
          m -> appUri.equals(m.getAsJsonObject("params").get("uri").getAsString())
              && !m.getAsJsonObject("params").getAsJsonArray("diagnostics").isEmpty(), WAIT);
      assertTrue(diagnostics.toString().contains("undefined name 'undefined_helper'"), diagnostics.toString());
      String hover = Lsp.hoverText(editor.call("textDocument/hover", Lsp.at(appUri, Position.of(app, "greet(\"world\")", 1))));
      assertTrue(hover.contains("Return a friendly greeting for name."), "hover over greet: " + hover);
      assertTrue(editor.call("shutdown", null).isJsonNull());
      editor.notify("exit", null);
      assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), cli.stderrText());
      assertEquals(List.of(), editor.violations(), "stdout must carry only LSP frames");
    }
  }

  @Test
  void execShellAndFsWorkOverWs() throws Exception {
    TetherCli.Result exec = tether.run(concat("exec", wsArgs(ws.url(), "--", "echo", "six-times-seven", "$((6*7))")));
    assertEquals(0, exec.exit(), exec.toString());
    assertEquals("six-times-seven 42\n", exec.stdout());
    TetherCli.Result failing = tether.run(concat("exec", wsArgs(ws.url(), "--", "exit", "7")));
    assertEquals(7, failing.exit(), failing.toString());

    TetherCli.Result shell = tether.run(concat("shell", wsArgs(ws.url(), "--", "echo", "shell-over-ws;", "exit", "5")));
    assertEquals(5, shell.exit(), shell.toString());
    assertTrue(shell.stdout().contains("shell-over-ws"), shell.toString());

    Path hostFile = remote.resolve(Projects.PYTHON).resolve("util.py");
    TetherCli.Result cat = tether.run(concat("fs", wsArgs(ws.url(), "cat", hostFile.toString())));
    assertEquals(0, cat.exit(), cat.toString());
    assertEquals(Files.readString(hostFile), cat.stdout());

    Path upload = base.resolve("upload.txt");
    Files.writeString(upload, "put over a WebSocket\n");
    Path target = remote.resolve("uploaded.txt");
    TetherCli.Result put = tether.run(concat("fs", wsArgs(ws.url(), "put", upload.toString(), target.toString())));
    assertEquals(0, put.exit(), put.toString());
    assertEquals("put over a WebSocket\n", Files.readString(target));
  }

  /**
   * A command with a wrong token (a file or TETHER_TOKEN) gets the server's 401 although the daemon
   * holds a session with the same destination opened with the right one; the right token still works.
   */
  @Test
  void aWrongTokenIsRefusedWhileASessionWithTheRightOneIsOpen() throws Exception {
    String url = "ws://localhost:" + ws.port + "/";
    TetherCli.Result right = tether.run(concat("exec", wsArgs(url, "--", "echo", "right")));
    assertEquals(0, right.exit(), right.toString());
    Path wrongToken = base.resolve("wrong-token-exec");
    Files.writeString(wrongToken, "1".repeat(64) + "\n");
    TetherCli.Result wrongFile = tether.run("exec", url, "--token-file", wrongToken.toString(), "--", "echo", "wrong");
    assertNotEquals(0, wrongFile.exit(), wrongFile.toString());
    assertEquals("", wrongFile.stdout(), wrongFile.toString());
    assertTrue(wrongFile.stderr().contains("refused the token (401)"), wrongFile.toString());

    ProcessBuilder withEnv = tether.processBuilder(List.of("exec", url, "--", "echo", "wrong"), base)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(base.resolve("wrong-env.stdout").toFile()).redirectError(base.resolve("wrong-env.stderr").toFile());
    withEnv.environment().put("TETHER_TOKEN", "2".repeat(64));
    Process process = withEnv.start();
    try {
      assertTrue(process.waitFor(TetherCli.EXIT_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "exec did not end");
    } finally {
      Processes.endTree(process.toHandle());
    }
    String stderr = Files.readString(base.resolve("wrong-env.stderr"));
    assertNotEquals(0, process.exitValue(), stderr);
    assertEquals("", Files.readString(base.resolve("wrong-env.stdout")), stderr);
    assertTrue(stderr.contains("refused the token (401)"), stderr);

    TetherCli.Result again = tether.run(concat("exec", wsArgs(url, "--", "echo", "right")));
    assertEquals(0, again.exit(), again.toString());
    assertEquals("right\n", again.stdout());
  }

  /**
   * The connection is cut between the two machines (a TCP reset at the proxy): the daemon reconnects
   * through the proxy and resumes the session, so the same pylsp goes on serving the editor, told both ways.
   */
  @Test
  void aCutConnectionIsResumedAndTheSameServerGoesOn() {
    Path project = local.resolve(Projects.PYTHON);
    String app = Projects.read(project.resolve("app.py"));
    String appUri = Lsp.uri(project.resolve("app.py"));
    String url = "ws://localhost:" + wsProxy.port() + "/";
    Set<ProcessHandle> before = Set.copyOf(Processes.languageServersUnder(List.of(ws.process.toHandle())));
    try (TetherCli.LspProcess cli = tether.lsp(project, wsArgs(url, "--map", local + "=" + remote, "--server", "pylsp"))) {
      LspEditor editor = cli.editor();
      editor.call("initialize", Lsp.initializeParams(project));
      editor.notify("initialized", new JsonObject());
      editor.notify("textDocument/didOpen", Lsp.didOpen(appUri, "python", app));
      JsonObject hoverAtGreet = Lsp.at(appUri, Position.of(app, "greet(\"world\")", 1));
      String hover = Lsp.hoverText(editor.call("textDocument/hover", hoverAtGreet));
      List<ProcessHandle> mine = Processes.languageServersUnder(List.of(ws.process.toHandle())).stream()
          .filter(p -> !before.contains(p)).toList();
      assertEquals(1, mine.size(), "one new pylsp: " + Processes.describe(mine));
      int acceptedBefore = wsProxy.acceptedConnections();

      wsProxy.cutAll();

      editor.awaitNotification("window/showMessage",
          m -> m.getAsJsonObject("params").get("message").getAsString().contains("lost"), WAIT);
      editor.awaitNotification("window/showMessage",
          m -> m.getAsJsonObject("params").get("message").getAsString().contains("reconnected"), WAIT);
      assertEquals(hover, Lsp.hoverText(editor.call("textDocument/hover", hoverAtGreet)), "hover after the reconnection");
      assertTrue(wsProxy.acceptedConnections() > acceptedBefore, "the daemon should have connected again");
      assertTrue(mine.get(0).isAlive(), "the same pylsp must go on serving");
      assertEquals(mine, Processes.languageServersUnder(List.of(ws.process.toHandle())).stream()
          .filter(p -> !before.contains(p)).toList(), "no pylsp may be started again by the reconnection");
    }
  }

  /** A known payload crosses wss (command and output) and never appears in clear on the wire. */
  @Test
  void wssCarriesNothingInClear() throws Exception {
    String marker = "tether-marker-" + Long.toHexString(System.nanoTime());
    String url = "wss://localhost:" + wssProxy.port() + "/";
    TetherCli.Result exec = tether.run("exec", url, "--token-file", wss.tokenFile().toString(),
        "--fingerprint", wss.fingerprint, "--", "echo", marker);
    assertEquals(0, exec.exit(), exec.toString());
    assertEquals(marker + "\n", exec.stdout());
    byte[] wire = wssProxy.captured();
    assertTrue(wire.length > 1000, "the proxy carried the connection: " + wire.length + " bytes");
    String asText = new String(wire, StandardCharsets.ISO_8859_1);
    assertFalse(asText.contains(marker), "the marker crossed in clear");
    assertFalse(asText.contains(Files.readString(wss.tokenFile()).strip()), "the token crossed in clear");
    assertFalse(asText.contains("Upgrade: websocket"), "the upgrade request crossed in clear");
  }

  @Test
  void doctorExplainsEachRefusalInOneLine() throws Exception {
    Path wrongToken = base.resolve("wrong-token");
    Files.writeString(wrongToken, "0".repeat(64) + "\n");
    // Each case a destination of its own: the daemon shares a session per destination.
    assertDoctorSays(List.of("refused the token (401)"), "doctor", "ws://localhost:" + ws.port + "/", "--token-file",
        wrongToken.toString());
    assertDoctorSays(List.of("refused the Host name '127.0.0.1' (421)", "--allow-host 127.0.0.1"), "doctor",
        "ws://127.0.0.1:" + wsProxy.port() + "/", "--token-file", ws.tokenFile().toString());
    int closed;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = probe.getLocalPort();
    }
    assertDoctorSays(List.of("cannot reach 127.0.0.1:" + closed + ": connection refused"), "doctor",
        "ws://127.0.0.1:" + closed + "/", "--token-file", ws.tokenFile().toString());
    assertDoctorSays(List.of("is not trusted", "--fingerprint " + wss.fingerprint), "doctor",
        "wss://127.0.0.1:" + wss.port + "/", "--token-file", wss.tokenFile().toString());
    String otherPin = "SHA256:" + "ab".repeat(32);
    assertDoctorSays(List.of("is " + wss.fingerprint + ", not the pinned", "tether-remote serve prints it"), "doctor",
        "wss://localhost:" + wss.port + "/", "--token-file", wss.tokenFile().toString(), "--fingerprint", otherPin);
    TetherCli.Result ok = tether.run("doctor", "wss://localhost:" + wssProxy.port() + "/", "--token-file",
        wss.tokenFile().toString(), "--fingerprint", wss.fingerprint);
    assertEquals(0, ok.exit(), ok.toString());
    assertTrue(ok.stdout().contains("round trip"), ok.stdout());
  }

  private void assertDoctorSays(List<String> expected, String... args) {
    TetherCli.Result result = tether.run(args);
    assertNotEquals(0, result.exit(), result.toString());
    String failed = result.stdout().lines().filter(l -> l.startsWith("connection") && l.contains("FAILED")).findFirst()
        .orElseThrow(() -> new AssertionError("no FAILED connection line: " + result));
    for (String part : expected) {
      assertTrue(failed.contains(part), "expected '" + part + "' in: " + failed);
    }
  }

  private static String[] concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all.toArray(String[]::new);
  }
}
