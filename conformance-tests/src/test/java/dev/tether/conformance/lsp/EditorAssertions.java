package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** What an editor may expect of {@code tether lsp}, checked on a real process. */
final class EditorAssertions {
  /**
   * Progress lines the daemon relays while it connects. They may precede a failure; every other line
   * on stderr must be the one line that names the problem.
   */
  private static final Pattern PROGRESS = Pattern.compile("tether: (connecting to .*|installing the agent on .*)");

  private EditorAssertions() {
  }

  /**
   * The editor never saw a host path: no message tether wrote to it contains {@code remoteRoot}, except
   * inside the name of a read-only copy in {@code filesCache}, which mirrors the host path it copies
   * (that name is the editor's own path).
   */
  static void assertOnlyEditorPaths(LspEditor editor, Path remoteRoot, Path filesCache) {
    Pattern copyName = Pattern.compile(Pattern.quote(filesCache.toString()) + "/[^/\"]+" + Pattern.quote(remoteRoot.toString()));
    List<String> transcript = editor.transcript();
    assertFalse(transcript.isEmpty(), "the editor saw no message at all");
    for (String message : transcript) {
      String withoutCopies = copyName.matcher(message).replaceAll("<copy>");
      assertFalse(withoutCopies.contains(remoteRoot.toString()),
          "the editor was shown the host path " + remoteRoot + " in: " + message);
    }
  }

  /**
   * {@code tether lsp} could not start the server: the editor's initialize gets an error and a
   * {@code window/showMessage} (type Error) says why; the process exits non-zero, with stdout holding
   * only valid LSP frames and stderr one {@code tether: ...} line naming the problem, no stack trace.
   */
  static void assertRefusedClearly(TetherCli.LspProcess cli, Path root, String... problem) {
    LspEditor editor = cli.editor();
    JsonObject answer = editor.request("initialize", Lsp.initializeParams(root));
    assertTrue(answer.has("error"), "initialize should fail but got " + answer + "; stderr: " + cli.stderrText());
    String error = answer.getAsJsonObject("error").get("message").getAsString();
    assertNames(error, problem, "initialize's error");
    JsonObject shown = editor.awaitNotification("window/showMessage",
        m -> m.getAsJsonObject("params").get("type").getAsInt() == 1, Duration.ofSeconds(10));
    assertNames(shown.getAsJsonObject("params").get("message").getAsString(), problem, "window/showMessage");

    editor.notify("exit", null);
    editor.closeOutput();
    int exit = cli.awaitExit(TetherCli.EXIT_TIMEOUT);
    assertNotEquals(0, exit, "tether lsp exit status; stderr: " + cli.stderrText());
    assertEquals(List.of(), editor.violations(), "stdout must carry only LSP frames");

    List<String> lines = cli.stderrLines();
    for (String line : lines) {
      assertFalse(line.startsWith("\tat ") || line.contains("Exception"), "a stack trace on stderr: " + cli.stderrText());
    }
    List<String> problems = lines.stream().filter(l -> !PROGRESS.matcher(l).matches()).toList();
    assertEquals(1, problems.size(), "exactly one line naming the problem on stderr, got: " + lines);
    assertTrue(problems.get(0).startsWith("tether: "), "stderr line: " + problems.get(0));
    assertNames(problems.get(0), problem, "stderr");
  }

  private static void assertNames(String text, String[] fragments, String where) {
    for (String fragment : fragments) {
      assertTrue(text.toLowerCase(Locale.ROOT).contains(fragment.toLowerCase(Locale.ROOT)),
          where + " should name '" + fragment + "': " + text);
    }
  }
}
