package dev.tether.adapters.dap.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where DAP messages carry file paths, read from {@code path-table.json} (derived from the DAP schema
 * by the test-scope {@code DapPathTableGenerator}). Immutable and thread-safe.
 */
public final class DapPathTable {
  private static final String RESOURCE = "/dev/tether/adapters/dap/path-table.json";
  private static final DapPathTable STANDARD = load();

  /** Rewrites one path string; {@code owner} names the schema type holding it ({@code Source}, {@code Module}...). */
  @FunctionalInterface
  public interface PathFunction {
    String apply(String path, String owner);
  }

  private final Map<String, List<List<String>>> types;
  private final Map<String, List<List<String>>> requests;
  private final Map<String, List<List<String>>> responses;
  private final Map<String, List<List<String>>> events;

  private DapPathTable(JsonObject table) {
    this.types = section(table, "types");
    this.requests = section(table, "requests");
    this.responses = section(table, "responses");
    this.events = section(table, "events");
  }

  public static DapPathTable standard() {
    return STANDARD;
  }

  private static DapPathTable load() {
    try (InputStream in = DapPathTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new DapPathTable(JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, List<List<String>>> section(JsonObject table, String name) {
    Map<String, List<List<String>>> out = new HashMap<>();
    for (Map.Entry<String, JsonElement> entry : table.getAsJsonObject(name).entrySet()) {
      List<List<String>> paths = new ArrayList<>();
      entry.getValue().getAsJsonArray().forEach(p -> paths.add(steps(p.getAsString())));
      out.put(entry.getKey(), paths);
    }
    return out;
  }

  /** {@code .stackFrames[]@StackFrame} becomes {@code [.stackFrames, [], @StackFrame]}. */
  static List<String> steps(String path) {
    List<String> steps = new ArrayList<>();
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      int end = i + 1;
      if (c == '[') {
        end = i + 2;
      } else {
        while (end < path.length() && ".[@".indexOf(path.charAt(end)) < 0) {
          end++;
        }
      }
      steps.add(path.substring(i, end));
      i = end;
    }
    return steps;
  }

  public boolean hasRequest(String command) {
    return requests.containsKey(command);
  }

  public boolean hasResponse(String command) {
    return responses.containsKey(command);
  }

  public boolean hasEvent(String event) {
    return events.containsKey(event);
  }

  /** Applies {@code function} to every path in a request's {@code arguments}; true if any changed. */
  public boolean rewriteRequest(String command, JsonElement arguments, PathFunction function) {
    return rewrite(requests.get(command), arguments, function, command);
  }

  /** Applies {@code function} to every path in the {@code body} of a response to {@code command}. */
  public boolean rewriteResponse(String command, JsonElement body, PathFunction function) {
    return rewrite(responses.get(command), body, function, command);
  }

  /** Applies {@code function} to every path in an event's {@code body}. */
  public boolean rewriteEvent(String event, JsonElement body, PathFunction function) {
    return rewrite(events.get(event), body, function, event);
  }

  private boolean rewrite(List<List<String>> paths, JsonElement root, PathFunction function, String owner) {
    if (paths == null || root == null) {
      return false;
    }
    boolean changed = false;
    for (List<String> path : paths) {
      changed |= walk(root, path, 0, function, owner, 0);
    }
    return changed;
  }

  private boolean walk(JsonElement node, List<String> steps, int at, PathFunction function, String owner, int depth) {
    if (node == null || node.isJsonNull() || depth > 64) {
      return false;
    }
    String step = steps.get(at);
    boolean last = at == steps.size() - 1;
    if (step.equals("[]")) {
      if (!node.isJsonArray()) {
        return false;
      }
      boolean changed = false;
      for (JsonElement element : node.getAsJsonArray()) {
        changed |= last ? false : walk(element, steps, at + 1, function, owner, depth + 1);
      }
      return changed;
    }
    if (step.startsWith("@")) {
      String type = step.substring(1);
      boolean changed = false;
      for (List<String> path : types.getOrDefault(type, List.of())) {
        changed |= walk(node, path, 0, function, type, depth + 1);
      }
      return changed;
    }
    if (!node.isJsonObject()) {
      return false;
    }
    JsonObject object = node.getAsJsonObject();
    String name = step.substring(1);
    JsonElement value = object.get(name);
    if (!last) {
      return walk(value, steps, at + 1, function, owner, depth + 1);
    }
    return replaceString(object, name, value, function, owner);
  }

  /** Rewrites a string member, or each string of an array member; true if any changed. */
  public static boolean replaceString(JsonObject object, String name, JsonElement value, PathFunction function, String owner) {
    if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
      String before = value.getAsString();
      String after = function.apply(before, owner);
      if (!after.equals(before)) {
        object.add(name, new JsonPrimitive(after));
        return true;
      }
      return false;
    }
    if (value != null && value.isJsonArray()) {
      JsonArray array = value.getAsJsonArray();
      boolean changed = false;
      for (int i = 0; i < array.size(); i++) {
        JsonElement item = array.get(i);
        if (item.isJsonPrimitive() && item.getAsJsonPrimitive().isString()) {
          String after = function.apply(item.getAsString(), owner);
          if (!after.equals(item.getAsString())) {
            array.set(i, new JsonPrimitive(after));
            changed = true;
          }
        }
      }
      return changed;
    }
    return false;
  }
}
