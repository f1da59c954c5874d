package dev.tether.local.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tether.local.TetherException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the demo's editor does once {@code tether lsp} runs, each step timed and reported: first
 * response, initialize, didOpen (waiting for diagnostics), hover, definition, completion, shutdown.
 * Every URI it sends names the LOCAL copy; every URI it shows came back through the bridge.
 */
final class EditorScript {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_PROGRESS_LINES = 8;

  private final TetherLspProcess lsp;
  private final EditorClient editor;
  private final DemoProject project;
  private final Path local;
  private final String fileUri;
  private final Report report;

  EditorScript(TetherLspProcess lsp, DemoProject project, Path local, Report report) {
    this.lsp = lsp;
    this.editor = lsp.editor();
    this.project = project;
    this.local = local;
    this.fileUri = local.resolve(project.openFile()).toUri().toString();
    this.report = report;
  }

  void run() throws IOException, InterruptedException {
    long t = System.nanoTime();
    firstResponse();
    report.step("connect + install", t, "first response through the tunnel; on the way, from tether lsp:");
    lsp.stderrLines().stream().filter(line -> line.text().startsWith("tether: ")) // not TETHER_LOG's frame lines
        .limit(MAX_PROGRESS_LINES).forEach(line -> report.detail(line.atNanos(), line.text()));

    t = System.nanoTime();
    JsonObject init = editor.request("initialize", initializeParams(), STEP_TIMEOUT).getAsJsonObject();
    editor.sendNotification("initialized", new JsonObject());
    report.step("initialize", t, LspText.serverInfo(init, project.server()));

    t = System.nanoTime();
    editor.sendNotification("textDocument/didOpen", didOpenParams());
    JsonObject diagnostics = editor.awaitNotification("textDocument/publishDiagnostics",
        p -> p.get("uri").getAsString().equals(fileUri), STEP_TIMEOUT);
    report.step("didOpen " + project.openFile(), t, LspText.diagnostics(diagnostics, local));

    t = System.nanoTime();
    List<String> hover = LspText.hover(editor.request("textDocument/hover", at(project.symbol()), STEP_TIMEOUT));
    report.step("hover " + project.symbol().label(), t, hover.isEmpty() ? "(no hover text)" : hover.get(0));
    hover.stream().skip(1).forEach(line -> report.detail(null, line));

    t = System.nanoTime();
    JsonElement definition = editor.request("textDocument/definition", at(project.symbol()), STEP_TIMEOUT);
    report.step("definition " + project.symbol().label(), t, LspText.location(definition, local));

    t = System.nanoTime();
    JsonElement completion = editor.request("textDocument/completion", at(project.member()), STEP_TIMEOUT);
    report.step("completion " + project.member().label(), t, LspText.completion(completion));

    t = System.nanoTime();
    editor.request("shutdown", null, STEP_TIMEOUT);
    editor.sendNotification("exit", null);
    int status = lsp.waitFor(STEP_TIMEOUT);
    report.step("shutdown + exit", t, "tether lsp exited with status " + status);
  }

  /**
   * A {@code $/} request before {@code initialize}: the server must answer it (MethodNotFound, or "not
   * initialized"), so its reply times the path (daemon, SSH, agent install, server start) apart from
   * the server's own initialize. When the bridge cannot start the server, it answers with the reason.
   */
  private void firstResponse() throws IOException {
    JsonObject reply = editor.exchange("$/tether/demo", new JsonObject(), CONNECT_TIMEOUT);
    List<String> shown = editor.shownErrors();
    String bridgeError = !shown.isEmpty() ? shown.get(0)
        : reply.has("error") ? reply.getAsJsonObject("error").get("message").getAsString() : "";
    if (bridgeError.startsWith("tether: ")) {
      throw new TetherException("the demo's tether lsp failed: " + bridgeError.substring("tether: ".length()));
    }
  }

  private JsonObject initializeParams() {
    String rootUri = local.toUri().toString().replaceFirst("/$", "");
    JsonObject client = new JsonObject();
    client.addProperty("name", "tether demo");
    JsonObject folder = new JsonObject();
    folder.addProperty("uri", rootUri);
    folder.addProperty("name", local.getFileName().toString());
    JsonArray folders = new JsonArray();
    folders.add(folder);
    JsonObject params = new JsonObject();
    params.addProperty("processId", ProcessHandle.current().pid());
    params.add("clientInfo", client);
    params.addProperty("rootUri", rootUri);
    params.addProperty("rootPath", local.toString());
    params.add("workspaceFolders", folders);
    params.add("capabilities", LspText.clientCapabilities());
    return params;
  }

  private JsonObject didOpenParams() {
    JsonObject document = new JsonObject();
    document.addProperty("uri", fileUri);
    document.addProperty("languageId", project.languageId());
    document.addProperty("version", 1);
    document.addProperty("text", project.openFileText());
    JsonObject params = new JsonObject();
    params.add("textDocument", document);
    return params;
  }

  private JsonObject at(DemoProject.Marker marker) {
    JsonObject document = new JsonObject();
    document.addProperty("uri", fileUri);
    JsonObject params = new JsonObject();
    params.add("textDocument", document);
    params.add("position", marker.json());
    return params;
  }
}
