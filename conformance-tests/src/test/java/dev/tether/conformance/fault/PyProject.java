package dev.tether.conformance.fault;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.conformance.lsp.LspEditor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A one-file Python project that the editor (an {@link LspEditor}) opens through {@code tether lsp
 * --server pylsp}, and the hover over {@code greet} whose answer proves the server is serving.
 */
final class PyProject {
  static final String DOC = "Return a friendly greeting for name.";
  private static final String APP = """
      def greet(name):
          \"\"\"%s\"\"\"
          return "hello " + name


      print(greet("world"))
      """.formatted(DOC);

  private final Path dir;

  private PyProject(Path dir) {
    this.dir = dir;
  }

  /** Writes the project into {@code dir} (the editor's and the host's copy: one machine, one path). */
  static PyProject write(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("app.py"), APP);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PyProject(dir);
  }

  Path dir() {
    return dir;
  }

  String appUri() {
    return "file://" + dir.resolve("app.py");
  }

  /** initialize, initialized, didOpen; then one hover that must answer with the docstring. */
  void open(LspEditor editor) {
    editor.call("initialize", json("""
        {"processId": %d, "rootUri": "file://%s", "capabilities": {"window": {"showMessage": {}},
         "textDocument": {"hover": {"contentFormat": ["plaintext"]}}}}
        """.formatted(ProcessHandle.current().pid(), dir)));
    editor.notify("initialized", new JsonObject());
    editor.notify("textDocument/didOpen", json("""
        {"textDocument": {"uri": "%s", "languageId": "python", "version": 1, "text": %s}}
        """.formatted(appUri(), new com.google.gson.JsonPrimitive(APP))));
    assertHoverWorks(editor);
  }

  JsonObject hoverParams() {
    return json("""
        {"textDocument": {"uri": "%s"}, "position": {"line": 5, "character": 7}}
        """.formatted(appUri()));
  }

  void assertHoverWorks(LspEditor editor) {
    JsonElement hover = editor.call("textDocument/hover", hoverParams());
    if (!hover.toString().contains(DOC)) {
      throw new AssertionError("hover over greet should show its docstring: " + hover);
    }
  }

  /** The editor's showMessage notifications so far, as their text. */
  static java.util.List<String> shown(LspEditor editor) {
    return editor.transcript().stream().map(t -> JsonParser.parseString(t).getAsJsonObject())
        .filter(m -> "window/showMessage".equals(m.has("method") ? m.get("method").getAsString() : null))
        .map(m -> m.getAsJsonObject("params").get("message").getAsString()).toList();
  }

  static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  /**
   * Hovers in a loop on a thread of its own, until stopped or the editor's connection ends: traffic
   * during which a test kills something. {@link #awaitAnswers} waits for answers to have flowed.
   */
  final class Traffic implements AutoCloseable {
    private final AtomicInteger answers = new AtomicInteger();
    private final AtomicReference<String> ended = new AtomicReference<>();
    private volatile boolean stop;
    private final Thread thread;

    Traffic(LspEditor editor) {
      thread = new Thread(() -> {
        try {
          while (!stop) {
            JsonObject response = editor.request("textDocument/hover", hoverParams());
            if (response.has("result") && response.toString().contains(DOC)) {
              answers.incrementAndGet();
            }
          }
        } catch (AssertionError e) {
          ended.set(e.getMessage()); // the connection ended: what a killed part does to an editor
        }
      }, "hover traffic");
      thread.setDaemon(true);
      thread.start();
    }

    /** Waits (deadline-bounded) until {@code n} more hovers were answered. */
    void awaitAnswers(int n, java.time.Duration within) throws InterruptedException {
      int target = answers.get() + n;
      long deadline = System.nanoTime() + within.toNanos();
      while (answers.get() < target) {
        if (System.nanoTime() > deadline || ended.get() != null) {
          throw new AssertionError("hover traffic: " + answers.get() + " of " + target + " answers; ended: " + ended.get());
        }
        Thread.sleep(10); // polls a counter the traffic thread raises, bounded by the deadline
      }
    }

    @Override
    public void close() {
      stop = true;
    }
  }
}
