package dev.tether.adapters.lsp;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Derives {@code uri-table.json} (where LSP messages carry URIs) from the LSP meta model.
 *
 * <p>Run from the project root (a POSIX shell; exec-maven-plugin is not available offline):
 * <pre>
 * mvn -B -o -q -pl adapters test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath \
 *   &amp;&amp; java -cp "adapters/target/test-classes:adapters/target/classes:$(cat adapters/target/test.classpath)" \
 *      dev.tether.adapters.lsp.UriTableGenerator
 * </pre>
 * Optional arguments: the meta model and the output
 * file; the defaults are {@code specs/lsp-metaModel-3.18.json} and the resource path below,
 * both relative to the project root (found by walking up from the working directory).
 *
 * <p>What counts as a URI: properties typed {@code DocumentUri} or {@code URI} anywhere in a type
 * (arrays, unions, intersections, literals, map values, map keys, aliases, {@code extends} and
 * {@code mixins}), plus the few properties the meta model types as plain {@code string} while their
 * documentation says "A file:// URI" ({@code FileCreate.uri}, {@code FileRename.oldUri}/{@code newUri},
 * {@code FileDelete.uri}). {@code LSPAny}, {@code LSPObject} and {@code LSPArray} are opaque: their
 * shape is up to a server, so nothing inside them is a URI as far as the table is concerned.
 */
public final class UriTableGenerator {
  static final String COMMAND = "mvn -B -o -q -pl adapters test-compile dependency:build-classpath "
      + "-Dmdep.outputFile=target/test.classpath && java -cp \"adapters/target/test-classes:"
      + "adapters/target/classes:$(cat adapters/target/test.classpath)\" "
      + "dev.tether.adapters.lsp.UriTableGenerator";
  static final String TABLE_RESOURCE = "adapters/src/main/resources/dev/tether/adapters/lsp/uri-table.json";
  static final String META_MODEL = "specs/lsp-metaModel-3.18.json";

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  private static final Set<String> OPAQUE_ALIASES = Set.of("LSPAny", "LSPObject", "LSPArray");
  private static final String SYNTAX = "Each entry lists alternative paths, all tried against the JSON "
      + "actually present. Steps: .name = property, [] = every array element, {} = every map value. "
      + "A path ends in nothing (the value is a URI), {key} (the map keys are URIs) or @Type "
      + "(apply that type's paths). Methods give paths for params, result, partialResult ($/progress "
      + "values for the request's partialResultToken) and registrationOptions "
      + "(client/registerCapability registerOptions for that method).";

  private final Map<String, JsonObject> structures = new LinkedHashMap<>();
  private final Map<String, JsonObject> aliases = new LinkedHashMap<>();
  private final Set<String> uriTypes = new HashSet<>();

  private UriTableGenerator(JsonObject metaModel) {
    for (JsonElement s : metaModel.getAsJsonArray("structures")) {
      structures.put(name(s), s.getAsJsonObject());
    }
    for (JsonElement a : metaModel.getAsJsonArray("typeAliases")) {
      aliases.put(name(a), a.getAsJsonObject().getAsJsonObject("type"));
    }
    findUriTypes();
  }

  public static void main(String[] args) throws IOException {
    Path root = projectRoot();
    Path metaModel = args.length > 0 ? Path.of(args[0]) : root.resolve(META_MODEL);
    Path table = args.length > 1 ? Path.of(args[1]) : root.resolve(TABLE_RESOURCE);
    Files.writeString(table, generate(readMetaModel(metaModel)), StandardCharsets.UTF_8);
    System.out.println("wrote " + table.normalize());
  }

  /** The directory holding {@code adapters/pom.xml}, searched upwards from the working directory. */
  static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("adapters/pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the project root (a directory with adapters/pom.xml) "
        + "above " + Path.of("").toAbsolutePath());
  }

  static JsonObject readMetaModel(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  /** The table's full text for {@code metaModel}. Deterministic: equal inputs give equal bytes. */
  public static String generate(JsonObject metaModel) {
    UriTableGenerator generator = new UriTableGenerator(metaModel);
    String version = metaModel.getAsJsonObject("metaData").get("version").getAsString();
    return generator.render(version, generator.methods(metaModel), generator.types());
  }

  private static String name(JsonElement named) {
    return named.getAsJsonObject().get("name").getAsString();
  }

  // A named type carries URIs if any part of it does; references make that recursive, so grow the set
  // until it stops changing.
  private void findUriTypes() {
    List<String> names = new ArrayList<>(structures.keySet());
    names.addAll(aliases.keySet());
    names.removeAll(OPAQUE_ALIASES);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (String name : names) {
        if (!uriTypes.contains(name) && !namedPaths(name).isEmpty()) {
          grew = uriTypes.add(name);
        }
      }
    }
  }

  private List<String> namedPaths(String name) {
    return structures.containsKey(name) ? structurePaths(name) : paths(aliases.get(name));
  }

  private Map<String, Map<String, List<String>>> methods(JsonObject metaModel) {
    Map<String, Map<String, List<String>>> methods = new TreeMap<>();
    for (String kind : List.of("requests", "notifications")) {
      for (JsonElement m : metaModel.getAsJsonArray(kind)) {
        Map<String, List<String>> entry = methodEntry(m.getAsJsonObject());
        if (!entry.isEmpty()) {
          methods.put(m.getAsJsonObject().get("method").getAsString(), entry);
        }
      }
    }
    return methods;
  }

  private Map<String, List<String>> methodEntry(JsonObject method) {
    Map<String, List<String>> entry = new LinkedHashMap<>();
    for (String part : List.of("params", "result", "partialResult", "registrationOptions")) {
      List<String> paths = method.has(part) ? paths(method.getAsJsonObject(part)) : List.of();
      if (!paths.isEmpty()) {
        entry.put(part, paths);
      }
    }
    return entry;
  }

  private Map<String, List<String>> types() {
    Map<String, List<String>> types = new TreeMap<>();
    for (String name : uriTypes) {
      types.put(name, namedPaths(name));
    }
    return types;
  }

  private List<String> structurePaths(String structure) {
    Set<String> paths = new LinkedHashSet<>();
    for (JsonObject property : properties(structure).values()) {
      for (String path : propertyPaths(property)) {
        paths.add("." + property.get("name").getAsString() + path);
      }
    }
    return new ArrayList<>(paths);
  }

  /** Own properties over inherited ones ({@code extends} first, then {@code mixins}). */
  private Map<String, JsonObject> properties(String structure) {
    JsonObject s = structures.get(structure);
    Map<String, JsonObject> properties = new LinkedHashMap<>();
    for (String inherit : List.of("extends", "mixins")) {
      if (s.has(inherit)) {
        for (JsonElement parent : s.getAsJsonArray(inherit)) {
          properties.putAll(properties(name(parent)));
        }
      }
    }
    for (JsonElement p : s.getAsJsonArray("properties")) {
      properties.put(name(p), p.getAsJsonObject());
    }
    return properties;
  }

  private List<String> propertyPaths(JsonObject property) {
    JsonObject type = property.getAsJsonObject("type");
    if (isBase(type, "string") && documentsFileUri(property)) {
      return List.of("");
    }
    return paths(type);
  }

  private static boolean documentsFileUri(JsonObject property) {
    return property.has("documentation")
        && property.get("documentation").getAsString().contains("file:// URI");
  }

  private static boolean isBase(JsonObject type, String name) {
    return type.get("kind").getAsString().equals("base") && type.get("name").getAsString().equals(name);
  }

  /** Paths to the URIs inside a value of {@code type}. */
  private List<String> paths(JsonObject type) {
    switch (type.get("kind").getAsString()) {
      case "base":
        return isBase(type, "DocumentUri") || isBase(type, "URI") ? List.of("") : List.of();
      case "reference":
        return referencePaths(type.get("name").getAsString());
      case "array":
        return prefixed("[]", paths(type.getAsJsonObject("element")));
      case "map":
        return mapPaths(type);
      case "or":
      case "and":
      case "tuple":
        return unionPaths(type);
      case "literal":
        return literalPaths(type.getAsJsonObject("value"));
      default:
        return List.of();
    }
  }

  private List<String> referencePaths(String name) {
    return uriTypes.contains(name) ? List.of("@" + name) : List.of();
  }

  private List<String> mapPaths(JsonObject map) {
    List<String> paths = new ArrayList<>();
    if (!paths(map.getAsJsonObject("key")).isEmpty()) {
      paths.add("{key}");
    }
    paths.addAll(prefixed("{}", paths(map.getAsJsonObject("value"))));
    return paths;
  }

  private List<String> unionPaths(JsonObject union) {
    Set<String> paths = new LinkedHashSet<>();
    for (JsonElement item : union.getAsJsonArray("items")) {
      List<String> itemPaths = paths(item.getAsJsonObject());
      // A tuple's items are positions of an array, an or/and's items are alternatives for this value.
      paths.addAll(union.get("kind").getAsString().equals("tuple") ? prefixed("[]", itemPaths) : itemPaths);
    }
    return new ArrayList<>(paths);
  }

  private List<String> literalPaths(JsonObject literal) {
    List<String> paths = new ArrayList<>();
    for (JsonElement p : literal.getAsJsonArray("properties")) {
      for (String path : paths(p.getAsJsonObject().getAsJsonObject("type"))) {
        paths.add("." + name(p) + path);
      }
    }
    return paths;
  }

  private static List<String> prefixed(String step, List<String> paths) {
    List<String> out = new ArrayList<>(paths.size());
    for (String path : paths) {
      out.add(step + path);
    }
    return out;
  }

  private String render(String version, Map<String, Map<String, List<String>>> methods,
      Map<String, List<String>> types) {
    StringBuilder out = new StringBuilder("{\n");
    out.append("  \"about\": ").append(GSON.toJson("Where LSP messages carry URIs. Derived from the LSP "
        + "meta model by dev.tether.adapters.lsp.UriTableGenerator (test sources); do not edit. "
        + "Regenerate from the project root with: " + COMMAND)).append(",\n");
    out.append("  \"metaModelVersion\": ").append(GSON.toJson(version)).append(",\n");
    out.append("  \"syntax\": ").append(GSON.toJson(SYNTAX)).append(",\n");
    out.append("  \"methods\": {\n");
    appendEntries(out, methods, entry -> renderMethod(entry));
    out.append("  },\n  \"types\": {\n");
    appendEntries(out, types, GSON::toJson);
    out.append("  }\n}\n");
    return out.toString();
  }

  private static String renderMethod(Map<String, List<String>> entry) {
    List<String> parts = new ArrayList<>();
    entry.forEach((part, paths) -> parts.add(GSON.toJson(part) + ": " + GSON.toJson(paths)));
    return "{" + String.join(", ", parts) + "}";
  }

  private static <V> void appendEntries(StringBuilder out, Map<String, V> entries,
      Function<V, String> renderValue) {
    List<String> lines = new ArrayList<>();
    entries.forEach((key, value) -> lines.add("    " + GSON.toJson(key) + ": " + renderValue.apply(value)));
    out.append(String.join(",\n", lines)).append('\n');
  }
}
