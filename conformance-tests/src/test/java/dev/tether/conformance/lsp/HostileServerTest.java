package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile language server on the host, run by the real agent ({@code local} destination) behind a
 * real {@code tether lsp}: its definitions and {@code workspace/applyEdit} name files through dot
 * segments, other machines, a device and a FIFO. The editor must never receive a {@code file:} URI
 * outside the mapping or the read-only cache, and traffic must go on (docs/SECURITY.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileServerTest {
  private Path base;
  private Path local;
  private Path remote;
  private Path fifo;
  private TetherCli tether;

  @BeforeAll
  void setUp() throws IOException, InterruptedException {
    base = Files.createTempDirectory("tether-hostile-");
    local = Files.createDirectories(base.resolve("local"));
    remote = Files.createDirectories(base.resolve("remote"));
    Files.writeString(remote.resolve("a.py"), "x = 1\n");
    Files.writeString(local.resolve("a.py"), "x = 1\n");
    fifo = base.resolve("fifo"); // outside the mapping: inside, it would be mapped, never fetched
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterAll
  void tearDown() {
    try {
      tether.close();
    } finally {
      Projects.deleteTree(base);
    }
  }

  @Test
  void hostileUrisNeverReachTheEditorOutsideTheMappingOrTheCacheAndTrafficGoesOn() throws IOException {
    String up = "../".repeat(12);
    List<String> targets = List.of(
        "file://" + remote + "/py/" + up + "root/.bashrc",
        "file:///../../../root/.bashrc",
        "file://" + remote + "/py/%2e%2e/%2E%2E/" + up.replace("..", "%2e%2e") + "root/.bashrc",
        "file:///dev/zero",
        "file://" + fifo,
        "file://evil/etc/passwd",
        "file://" + remote + "/a.py");
    List<String> command = new ArrayList<>(List.of("local", "--map", local + "=" + remote, "--",
        "python3", script().toString()));
    command.addAll(targets);
    try (TetherCli.LspProcess cli = tether.lsp(local, command)) {
      LspEditor editor = cli.editor();
      editor.call("initialize", Lsp.initializeParams(local));
      editor.notify("initialized", new JsonObject());
      List<String> answers = new ArrayList<>();
      for (int line = 0; line < targets.size(); line++) {
        answers.add(definitionUri(editor, line));
      }
      String cache = "file://" + tether.filesCache().toAbsolutePath();
      for (int line : new int[] {0, 1, 2}) {
        assertTrue(answers.get(line).startsWith(cache + "/") && answers.get(line).endsWith("/root/.bashrc"),
            targets.get(line) + " became " + answers.get(line));
      }
      assertTrue(answers.get(3).startsWith(cache + "/") && answers.get(3).endsWith("/dev/zero"), answers.get(3));
      assertTrue(answers.get(4).startsWith(cache + "/") && answers.get(4).endsWith("/fifo"), answers.get(4));
      assertTrue(answers.get(5).startsWith("tether-rejected:"), answers.get(5));
      assertEquals("file://" + local + "/a.py", answers.get(6), "the request after the device and the FIFO");
      assertEquals(List.of(), uncontainedFileUris(editor.transcript(), "file://" + local + "/", cache + "/"),
          "file: URIs the editor received outside the mapping and the cache");
      assertTrue(editor.transcript().stream().anyMatch(m -> m.contains("workspace/applyEdit")), "the edit arrived");
      editor.call("shutdown", null);
      editor.notify("exit", null);
      assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "exit status; stderr: " + cli.stderrText());
    }
  }

  private static String definitionUri(LspEditor editor, int line) {
    JsonObject params = Lsp.json("{\"textDocument\": {\"uri\": \"file:///x.py\"},"
        + " \"position\": {\"line\": " + line + ", \"character\": 0}}");
    JsonElement result = editor.call("textDocument/definition", params);
    return result.getAsJsonArray().get(0).getAsJsonObject().get("uri").getAsString();
  }

  /** Every string in the messages that is a file: URI and starts with none of {@code allowed}. */
  private static List<String> uncontainedFileUris(List<String> transcript, String... allowed) {
    List<String> found = new ArrayList<>();
    for (String message : transcript) {
      collect(JsonParser.parseString(message), found);
    }
    return found.stream()
        .filter(s -> s.regionMatches(true, 0, "file:", 0, 5))
        .filter(s -> List.of(allowed).stream().noneMatch(s::startsWith) || s.contains(".."))
        .toList();
  }

  private static void collect(JsonElement element, List<String> out) {
    if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isString()) {
      out.add(element.getAsString());
    } else if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> collect(e, out));
    } else if (element.isJsonObject()) {
      element.getAsJsonObject().entrySet().forEach(e -> {
        out.add(e.getKey());
        collect(e.getValue(), out);
      });
    }
  }

  private Path script() throws IOException {
    return Lsp.scriptedServer("/hostile/hostile_server.py", base, "hostile_server.py");
  }
}
