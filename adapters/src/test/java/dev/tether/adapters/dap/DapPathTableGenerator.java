package dev.tether.adapters.dap;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Derives {@code path-table.json} (where DAP messages carry file paths) from the DAP JSON schema.
 *
 * <p>Run from the project root (a POSIX shell):
 * <pre>
 * mvn -B -o -q -pl adapters test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath \
 *   &amp;&amp; java -cp "adapters/target/test-classes:adapters/target/classes:$(cat adapters/target/test.classpath)" \
 *      dev.tether.adapters.dap.DapPathTableGenerator
 * </pre>
 *
 * <p>What counts as a path: a property typed {@code string} named {@code path} or {@code cwd}, or whose
 * name ends in {@code FilePath}: in DAP 1.x that is {@code Source.path}, {@code Module.path},
 * {@code Module.symbolFilePath} and {@code RunInTerminalRequestArguments.cwd} ({@code ExceptionOptions.path}
 * is an array of exception names, not a file). Every place a type holding a path occurs is followed:
 * {@code $ref}, {@code allOf}, {@code oneOf}, arrays and inline objects. Requests are keyed by their
 * {@code command} (paths inside {@code arguments}), responses by the command of the request they answer
 * ({@code XResponse} answers {@code XRequest}; paths inside {@code body}), events by {@code event}
 * (inside {@code body}). Launch and attach arguments are adapter-defined (no paths in the schema): their
 * path keys come from the catalog entry.
 */
public final class DapPathTableGenerator {
  static final String COMMAND = "mvn -B -o -q -pl adapters test-compile dependency:build-classpath "
      + "-Dmdep.outputFile=target/test.classpath && java -cp \"adapters/target/test-classes:"
      + "adapters/target/classes:$(cat adapters/target/test.classpath)\" "
      + "dev.tether.adapters.dap.DapPathTableGenerator";
  static final String TABLE_RESOURCE = "adapters/src/main/resources/dev/tether/adapters/dap/path-table.json";
  static final String SCHEMA = "specs/debugAdapterProtocol.json";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  private static final String SYNTAX = "Each entry lists the paths (steps: .name = property, [] = every "
      + "array element, @Type = apply that type's paths) at which a string is a file path. Requests: "
      + "inside arguments, by command; responses: inside body, by the command answered; events: inside "
      + "body, by event. Derived from the DAP JSON schema by DapPathTableGenerator; do not edit.";

  private final JsonObject definitions;
  private final Map<String, List<String>> typePaths = new TreeMap<>();
  private final Map<String, Boolean> carries = new HashMap<>();

  private DapPathTableGenerator(JsonObject schema) {
    this.definitions = schema.getAsJsonObject("definitions");
  }

  public static void main(String[] args) throws IOException {
    Path root = projectRoot();
    Path schema = args.length > 0 ? Path.of(args[0]) : root.resolve(SCHEMA);
    Path table = args.length > 1 ? Path.of(args[1]) : root.resolve(TABLE_RESOURCE);
    Files.createDirectories(table.getParent());
    Files.writeString(table, generate(readSchema(schema)), StandardCharsets.UTF_8);
    System.out.println("wrote " + table.normalize());
  }

  static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("adapters/pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the project root (a directory with adapters/pom.xml) above "
        + Path.of("").toAbsolutePath());
  }

  static JsonObject readSchema(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  /** The table's full text for {@code schema}. Deterministic: equal inputs give equal bytes. */
  public static String generate(JsonObject schema) {
    return new DapPathTableGenerator(schema).table();
  }

  private String table() {
    Map<String, List<String>> requests = new TreeMap<>();
    Map<String, List<String>> responses = new TreeMap<>();
    Map<String, List<String>> events = new TreeMap<>();
    for (String name : definitions.keySet()) {
      JsonObject definition = definitions.getAsJsonObject(name);
      if (name.endsWith("Request") && extendsBase(definition, "Request")) {
        String command = enumValue(definition, "command");
        addIfAny(requests, command, member(definition, "arguments"));
      } else if (name.endsWith("Response") && extendsBase(definition, "Response")) {
        JsonObject request = definitions.getAsJsonObject(name.substring(0, name.length() - "Response".length()) + "Request");
        if (request != null) {
          addIfAny(responses, enumValue(request, "command"), member(definition, "body"));
        }
      } else if (name.endsWith("Event") && extendsBase(definition, "Event")) {
        addIfAny(events, enumValue(definition, "event"), member(definition, "body"));
      }
    }
    JsonObject out = new JsonObject();
    out.addProperty("_syntax", SYNTAX);
    out.add("types", GSON.toJsonTree(typePaths));
    out.add("requests", GSON.toJsonTree(requests));
    out.add("responses", GSON.toJsonTree(responses));
    out.add("events", GSON.toJsonTree(events));
    return GSON.toJson(out) + "\n";
  }

  private void addIfAny(Map<String, List<String>> section, String key, JsonElement schema) {
    if (key == null || schema == null) {
      return;
    }
    Set<String> paths = new LinkedHashSet<>();
    collect(schema, "", paths);
    if (!paths.isEmpty()) {
      section.put(key, new ArrayList<>(paths));
    }
  }

  /** Paths under {@code schema}, each prefixed with {@code prefix}. */
  private void collect(JsonElement schema, String prefix, Set<String> out) {
    if (schema == null || !schema.isJsonObject()) {
      return;
    }
    JsonObject node = schema.getAsJsonObject();
    if (node.has("$ref")) {
      String type = refName(node);
      if (carriesPaths(type)) {
        out.add(prefix + "@" + type);
      }
      return;
    }
    for (String combinator : List.of("allOf", "oneOf", "anyOf")) {
      if (node.has(combinator)) {
        for (JsonElement part : node.getAsJsonArray(combinator)) {
          collect(part, prefix, out);
        }
      }
    }
    if (node.has("items")) {
      collect(node.get("items"), prefix + "[]", out);
    }
    if (node.has("properties")) {
      for (Map.Entry<String, JsonElement> property : node.getAsJsonObject("properties").entrySet()) {
        String step = prefix + "." + property.getKey();
        if (isPath(property.getKey(), property.getValue())) {
          out.add(step);
        } else {
          collect(property.getValue(), step, out);
        }
      }
    }
  }

  private static boolean isPath(String name, JsonElement schema) {
    JsonElement type = schema.getAsJsonObject().get("type");
    boolean string = type != null && type.isJsonPrimitive() && "string".equals(type.getAsString());
    return string && (name.equals("path") || name.equals("cwd") || name.endsWith("FilePath"));
  }

  /** Whether a named type holds a path anywhere; fills {@link #typePaths} for it (cycles allowed). */
  private boolean carriesPaths(String type) {
    Boolean known = carries.get(type);
    if (known != null) {
      return known;
    }
    carries.put(type, true); // a reference back to a type being computed (Source.sources) counts if it does
    Set<String> paths = new LinkedHashSet<>();
    collect(definitions.get(type), "", paths);
    boolean any = paths.stream().anyMatch(p -> !p.endsWith("@" + type));
    carries.put(type, any);
    if (any) {
      typePaths.put(type, new ArrayList<>(paths));
    } else {
      typePaths.remove(type);
    }
    return any;
  }

  private boolean extendsBase(JsonObject definition, String base) {
    JsonArray allOf = definition.getAsJsonArray("allOf");
    return allOf != null && allOf.size() > 0 && allOf.get(0).isJsonObject()
        && ("#/definitions/" + base).equals(stringOr(allOf.get(0).getAsJsonObject().get("$ref")));
  }

  /** The schema of a top-level property ({@code arguments}, {@code body}) of a message definition. */
  private static JsonElement member(JsonObject definition, String property) {
    for (JsonElement part : definition.getAsJsonArray("allOf")) {
      JsonObject properties = part.getAsJsonObject().getAsJsonObject("properties");
      if (properties != null && properties.has(property)) {
        return properties.get(property);
      }
    }
    return null;
  }

  private static String enumValue(JsonObject definition, String property) {
    JsonElement schema = member(definition, property);
    if (schema == null || !schema.getAsJsonObject().has("enum")) {
      return null;
    }
    return schema.getAsJsonObject().getAsJsonArray("enum").get(0).getAsString();
  }

  private static String refName(JsonObject node) {
    String ref = node.get("$ref").getAsString();
    return ref.substring(ref.lastIndexOf('/') + 1);
  }

  private static String stringOr(JsonElement e) {
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }
}
