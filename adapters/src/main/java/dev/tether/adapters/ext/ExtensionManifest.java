package dev.tether.adapters.ext;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A workspace's {@code .tether/extensions.json}: the JSON-RPC programs it declares, by name.
 *
 * <pre>{"extensions": [{"name": "fmt", "argv": ["python3", "tools/fmt.py"], "cwd": "tools",
 *   "env": {"K": "V"}, "framing": "newline"}]}</pre>
 *
 * Every error names the file and the field, e.g. {@code /srv/app/.tether/extensions.json: extension
 * "fmt": "argv" must be a non-empty array of strings}. An entry with an error is reported as a
 * problem and cannot be opened; the other entries still can. Reading runs nothing.
 */
public final class ExtensionManifest {
  /** Where the manifest lives, relative to the workspace. */
  public static final String FILE = ".tether/extensions.json";
  /** A manifest is a few lines; anything this large is not one (and is not read into memory). */
  static final long MAX_BYTES = 1024 * 1024;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> FIELDS = Set.of("name", "argv", "cwd", "env", "framing");

  /** One declared extension: {@code cwd} is absolute (resolved against the workspace). */
  public record Entry(String name, List<String> argv, String cwd, Map<String, String> env, Framing framing) {}

  private final Path file;
  private final boolean exists;
  private final Map<String, Entry> entries;
  /** Per name (or "#N" for entries without a usable name): what is wrong with its entry. */
  private final Map<String, String> problems;

  private ExtensionManifest(Path file, boolean exists, Map<String, Entry> entries, Map<String, String> problems) {
    this.file = file;
    this.exists = exists;
    this.entries = entries;
    this.problems = problems;
  }

  /** Thrown when the file as a whole cannot be used, or the entry asked for is missing or bad. */
  public static final class ManifestException extends Exception {
    public ManifestException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Reads {@code workspace}'s manifest. A workspace without one has no extensions (not an error
   * here: {@link #entry} says so when one is asked for). Throws for a file that is not usable at all.
   */
  public static ExtensionManifest read(Path workspace) throws ManifestException {
    if (!workspace.isAbsolute()) {
      throw new ManifestException("the workspace must be an absolute path on the host, not '" + workspace + "'");
    }
    if (!Files.isDirectory(workspace)) {
      throw new ManifestException("workspace " + workspace + " is not a directory on the host");
    }
    Path file = workspace.resolve(FILE);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
      return new ExtensionManifest(file, false, Map.of(), Map.of());
    }
    // A FIFO or a device would block or never end: only a regular file (or a link to one) is read.
    if (!Files.isRegularFile(file)) {
      throw new ManifestException(file + ": not a regular file");
    }
    String text = readBounded(file);
    JsonElement root;
    try {
      root = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new ManifestException(file + ": not valid JSON: " + rootMessage(e));
    }
    return parse(workspace, file, root);
  }

  private static String readBounded(Path file) throws ManifestException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new ManifestException(file + ": larger than " + MAX_BYTES / 1024 + " KiB; not a manifest");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read it: " + e.getMessage());
    }
  }

  private static ExtensionManifest parse(Path workspace, Path file, JsonElement root) throws ManifestException {
    if (!root.isJsonObject() || !root.getAsJsonObject().has("extensions")) {
      throw new ManifestException(file + ": must be a JSON object with \"extensions\": [...]");
    }
    JsonElement list = root.getAsJsonObject().get("extensions");
    if (!list.isJsonArray()) {
      throw new ManifestException(file + ": \"extensions\" must be an array of objects");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> problems = new LinkedHashMap<>();
    JsonArray array = list.getAsJsonArray();
    for (int i = 0; i < array.size(); i++) {
      String label = "extension #" + (i + 1);
      JsonElement element = array.get(i);
      String name = nameOf(element);
      if (name != null) {
        label = "extension \"" + name + "\"";
      }
      try {
        if (name != null && (entries.containsKey(name) || problems.containsKey(name))) {
          entries.remove(name); // which of the two was meant is anyone's guess: neither opens
          problems.remove(name);
          throw new IllegalArgumentException("is declared more than once");
        }
        Entry entry = entry(workspace, element);
        entries.put(entry.name(), entry);
      } catch (IllegalArgumentException e) {
        problems.putIfAbsent(name != null ? name : "#" + (i + 1), file + ": " + label + ": " + e.getMessage());
      }
    }
    return new ExtensionManifest(file, true, entries, problems);
  }

  private static String nameOf(JsonElement element) {
    if (element.isJsonObject()) {
      JsonElement name = element.getAsJsonObject().get("name");
      if (name != null && name.isJsonPrimitive() && name.getAsJsonPrimitive().isString()
          && NAME.matcher(name.getAsString()).matches()) {
        return name.getAsString();
      }
    }
    return null;
  }

  private static Entry entry(Path workspace, JsonElement element) {
    if (!element.isJsonObject()) {
      throw new IllegalArgumentException("must be an object");
    }
    JsonObject object = element.getAsJsonObject();
    for (String key : object.keySet()) {
      if (!FIELDS.contains(key)) {
        throw new IllegalArgumentException("unknown field \"" + key + "\" (known: name, argv, cwd, env, framing)");
      }
    }
    String name = nameOf(object);
    if (name == null) {
      throw new IllegalArgumentException("\"name\" must be a string of 1 to 64 letters, digits, '.', '_' or '-'");
    }
    List<String> argv = strings(object.get("argv"));
    String cwd = optionalString(object, "cwd");
    Map<String, String> env = environment(object.get("env"));
    String framingName = optionalString(object, "framing");
    Framing framing = framingName == null ? Framing.CONTENT_LENGTH : Framing.named(framingName);
    if (framing == null) {
      throw new IllegalArgumentException("\"framing\" must be \"content-length\" or \"newline\", not \"" + framingName + "\"");
    }
    String directory = cwd == null ? workspace.toString() : workspace.resolve(cwd).normalize().toString();
    return new Entry(name, argv, directory, env, framing);
  }

  private static List<String> strings(JsonElement argv) {
    String must = "\"argv\" must be a non-empty array of strings";
    if (argv == null || !argv.isJsonArray() || argv.getAsJsonArray().isEmpty()) {
      throw new IllegalArgumentException(must);
    }
    List<String> out = new ArrayList<>();
    for (JsonElement word : argv.getAsJsonArray()) {
      if (!word.isJsonPrimitive() || !word.getAsJsonPrimitive().isString() || (out.isEmpty() && word.getAsString().isEmpty())) {
        throw new IllegalArgumentException(must);
      }
      out.add(word.getAsString());
    }
    return List.copyOf(out);
  }

  private static String optionalString(JsonObject object, String key) {
    JsonElement value = object.get(key);
    if (value == null) {
      return null;
    }
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException("\"" + key + "\" must be a string");
    }
    return value.getAsString();
  }

  private static Map<String, String> environment(JsonElement env) {
    if (env == null) {
      return Map.of();
    }
    String must = "\"env\" must be an object whose values are strings";
    if (!env.isJsonObject()) {
      throw new IllegalArgumentException(must);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> variable : env.getAsJsonObject().entrySet()) {
      JsonElement value = variable.getValue();
      if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString() || variable.getKey().isEmpty()
          || variable.getKey().contains("=")) {
        throw new IllegalArgumentException(must + " (\"" + variable.getKey() + "\" is not)");
      }
      out.put(variable.getKey(), value.getAsString());
    }
    return out;
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  public Path file() {
    return file;
  }

  public boolean exists() {
    return exists;
  }

  /** The usable entries, in the file's order. */
  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /** One line per bad entry, each naming the file and the field. */
  public List<String> problems() {
    return List.copyOf(problems.values());
  }

  /** The entry named {@code name}; throws with what is wrong, or with the names there are. */
  public Entry entry(String name) throws ManifestException {
    if (!exists) {
      throw new ManifestException(file + ": no such file, so the workspace declares no extension \"" + name + "\"");
    }
    Entry entry = entries.get(name);
    if (entry != null) {
      return entry;
    }
    if (problems.containsKey(name)) {
      throw new ManifestException(problems.get(name));
    }
    List<String> names = new ArrayList<>(entries.keySet());
    problems.keySet().stream().filter(k -> !k.startsWith("#")).forEach(names::add);
    throw new ManifestException(file + ": no extension \"" + name + "\"; it declares "
        + (names.isEmpty() ? "none" : String.join(", ", names)));
  }
}
