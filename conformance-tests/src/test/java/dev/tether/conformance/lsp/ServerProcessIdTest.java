package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code initialize}'s {@code processId} reaches the language server as the pid of the agent that
 * runs it, rewritten in one place (the agent): the editor's pid means nothing on the host, and a
 * server that watches it would exit (LSP: "the parent process"). The server here reports what it
 * received and which agent is its ancestor.
 */
class ServerProcessIdTest {
  @Test
  void theServerIsGivenItsAgentsPidNotTheEditors() throws IOException {
    Path base = Files.createTempDirectory("tether-pid-");
    try (TetherCli tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"))) {
      Path script = Lsp.scriptedServer("/lsp/pid/pid_server.py", base, "pid_server.py");
      try (TetherCli.LspProcess cli = tether.lsp(base, List.of("local", "--", "/usr/bin/python3", script.toString()))) {
        LspEditor editor = cli.editor();
        JsonObject result = editor.call("initialize", Lsp.initializeParams(base)).getAsJsonObject();
        String[] seen = result.getAsJsonObject("serverInfo").get("version").getAsString().split(" ");
        assertNotEquals("null", seen[1], "the server found no tether agent among its ancestors");
        assertEquals(seen[1], seen[0], "processId the server received (the editor sent "
            + ProcessHandle.current().pid() + "), against its agent's pid");
        editor.call("shutdown", null);
        editor.notify("exit", null);
        assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "stderr: " + cli.stderrText());
      }
    } finally {
      Projects.deleteTree(base);
    }
  }
}
