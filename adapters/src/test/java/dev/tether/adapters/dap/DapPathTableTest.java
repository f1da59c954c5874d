package dev.tether.adapters.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DapPathTableTest {

  /**
   * The checked-in table must be what the generator derives from the DAP schema in {@code specs/}
   * (override with {@code -Dtether.dapSchema=PATH}); without the schema this fails rather than skips.
   */
  @Test
  void checkedInTableMatchesTheSchema() throws IOException {
    String override = System.getProperty("tether.dapSchema");
    Path schema = override != null && !override.isEmpty() ? Path.of(override)
        : DapPathTableGenerator.projectRoot().resolve(DapPathTableGenerator.SCHEMA);
    if (!Files.isRegularFile(schema)) {
      fail("DAP schema not found at " + schema.toAbsolutePath().normalize() + "; expected at "
          + DapPathTableGenerator.SCHEMA + " relative to the project root. Cannot check path-table.json.");
    }
    String regenerated = DapPathTableGenerator.generate(DapPathTableGenerator.readSchema(schema));
    assertEquals(regenerated, Files.readString(DapPathTableGenerator.projectRoot()
        .resolve(DapPathTableGenerator.TABLE_RESOURCE), StandardCharsets.UTF_8),
        "path-table.json is stale; run from the project root: " + DapPathTableGenerator.COMMAND);
  }

  /** The places the issue names are all in the derived table (so the generator's rule finds them). */
  @Test
  void containsThePathsTheBridgeReliesOn() throws IOException {
    JsonObject table = JsonParser.parseString(Files.readString(DapPathTableGenerator.projectRoot()
        .resolve(DapPathTableGenerator.TABLE_RESOURCE))).getAsJsonObject();
    assertEquals(List.of(".path", ".sources[]@Source"), strings(table, "types", "Source"));
    assertEquals(List.of(".path", ".symbolFilePath"), strings(table, "types", "Module"));
    assertEquals(List.of(".cwd"), strings(table, "types", "RunInTerminalRequestArguments"));
    assertEquals(List.of(".stackFrames[]@StackFrame"), strings(table, "responses", "stackTrace"));
    assertEquals(List.of(".instructions[]@DisassembledInstruction"), strings(table, "responses", "disassemble"));
    for (String event : List.of("breakpoint", "loadedSource", "module", "output")) {
      assertTrue(table.getAsJsonObject("events").has(event), event);
    }
    for (String request : List.of("setBreakpoints", "breakpointLocations", "gotoTargets", "source", "runInTerminal")) {
      assertTrue(table.getAsJsonObject("requests").has(request), request);
    }
    for (String response : List.of("loadedSources", "scopes", "setBreakpoints", "modules")) {
      assertTrue(table.getAsJsonObject("responses").has(response), response);
    }
  }

  private static List<String> strings(JsonObject table, String section, String key) {
    return table.getAsJsonObject(section).getAsJsonArray(key).asList().stream().map(e -> e.getAsString()).toList();
  }
}
