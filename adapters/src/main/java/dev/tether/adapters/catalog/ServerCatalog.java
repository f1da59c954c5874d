package dev.tether.adapters.catalog;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The language servers and debug adapters Tether can start by name ({@code tether lsp --server NAME},
 * {@code tether dap --adapter NAME}): built-in entries, extended or overridden by the user's
 * {@code servers.json}.
 *
 * <p>Built in: language servers {@code pylsp}, {@code pyright}, {@code clangd}, {@code gopls},
 * {@code rust-analyzer}, {@code typescript-language-server}, {@code jdtls}; debug adapters
 * {@code debugpy}, {@code lldb-dap}, {@code delve}, {@code gdb}. Commands run on the remote host.
 *
 * <p>Python: never rely on a bare {@code python3}. On a host with pyenv, conda or a virtualenv first on
 * PATH, {@code python3} is not the system interpreter, and Debian's packaged Python modules (the
 * {@code python3-pylsp} and {@code python3-debugpy} packages) import only under
 * {@code /usr/bin/python3}. So {@code pylsp} runs the {@code pylsp} executable, whose Debian shebang is
 * {@code #!/usr/bin/python3} (a pip-installed one carries its own interpreter's shebang just as well),
 * and {@code debugpy} runs {@code /usr/bin/python3 -m debugpy.adapter} by absolute path. Users whose
 * debugpy lives elsewhere override the command, e.g. {@code "command": ["/opt/venv/bin/python",
 * "-m", "debugpy.adapter"]}.
 *
 * <p>User file format (the built-in catalog, {@code servers.json} in this package, uses it too; the
 * file may contain {@code //} comments):
 * <pre>{@code
 * {
 *   "languageServers": {
 *     "pylsp": {"command": ["/opt/venv/bin/pylsp"]},
 *     "ruff":  {"command": ["ruff", "server"], "languages": ["python"], "extensions": ["py"],
 *               "rootMarkers": ["pyproject.toml"]}
 *   },
 *   "debugAdapters": {
 *     "debugpy": {"command": ["/opt/venv/bin/python", "-m", "debugpy.adapter"]},
 *     "codelldb": {"command": ["codelldb"], "languages": ["rust"], "pathKeys": ["program", "cwd"],
 *                  "package": "the codelldb release"}
 *   }
 * }
 * }</pre>
 * An entry with a known name replaces only the fields it gives; a new name must give a command.
 * Unknown fields are errors, so a typo does not go unnoticed.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerCatalog {
  private static final String BUILT_IN = "/dev/tether/adapters/catalog/servers.json";
  private static final Set<String> SECTIONS = Set.of("languageServers", "debugAdapters");
  private static final Set<String> SERVER_FIELDS = Set.of("command", "languages", "extensions",
      "rootMarkers");
  private static final Set<String> ADAPTER_FIELDS = Set.of("command", "languages", "alternatives", "probe",
      "package", "pathKeys");

  private final Map<String, LanguageServer> languageServers;
  private final Map<String, DebugAdapter> debugAdapters;
  private final String howToAdd;
  /** Names served but left out of the list an unknown name's error gives (the conformance test peers). */
  private final Set<String> unlisted;

  private ServerCatalog(Map<String, LanguageServer> languageServers,
      Map<String, DebugAdapter> debugAdapters, String howToAdd) {
    this(languageServers, debugAdapters, howToAdd, Set.of());
  }

  private ServerCatalog(Map<String, LanguageServer> languageServers,
      Map<String, DebugAdapter> debugAdapters, String howToAdd, Set<String> unlisted) {
    this.languageServers = Collections.unmodifiableMap(new TreeMap<>(languageServers));
    this.debugAdapters = Collections.unmodifiableMap(new TreeMap<>(debugAdapters));
    this.howToAdd = howToAdd;
    this.unlisted = Set.copyOf(unlisted);
  }

  /** The built-in entries only. */
  public static ServerCatalog builtIn() {
    Builder builder = new Builder();
    builder.merge(parse(readBuiltIn(), "built-in catalog"), "built-in catalog");
    return builder.build("add one to " + defaultUserFile());
  }

  /** Built-in entries plus the user's file at its default location ({@link #defaultUserFile()}). */
  public static ServerCatalog load() {
    return load(defaultUserFile());
  }

  /**
   * Built-in entries extended and overridden by {@code userFile}; a missing file is the same as an
   * empty one.
   *
   * @throws CatalogException if the file cannot be read or is not a valid catalog, naming the file
   */
  public static ServerCatalog load(Path userFile) {
    Builder builder = new Builder();
    builder.merge(parse(readBuiltIn(), "built-in catalog"), "built-in catalog");
    Optional<String> user = readUserFile(userFile);
    if (user.isPresent()) {
      builder.merge(parse(user.get(), userFile.toString()), userFile.toString());
    }
    return builder.build("add one to " + userFile);
  }

  /**
   * {@code $XDG_CONFIG_HOME/tether/servers.json}, else {@code ~/.config/tether/servers.json}, where
   * {@code ~} is {@code $HOME} when set (as for ssh and the agent's install), else the account's home.
   */
  public static Path defaultUserFile() {
    String home = System.getenv("HOME");
    return userFile(System.getenv(), home != null && home.startsWith("/") ? Path.of(home) : Path.of(System.getProperty("user.home")));
  }

  /**
   * The user catalog location for an environment and home directory. Per the XDG base directory
   * spec, an unset, empty or relative {@code XDG_CONFIG_HOME} is ignored.
   */
  public static Path userFile(Map<String, String> environment, Path home) {
    String xdg = environment.get("XDG_CONFIG_HOME");
    Path configHome = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()
        ? Path.of(xdg) : home.resolve(".config");
    return configHome.resolve("tether").resolve("servers.json");
  }

  /**
   * The language server called {@code name}.
   *
   * @throws UnknownEntryException listing the known names
   */
  public LanguageServer languageServer(String name) {
    LanguageServer server = languageServers.get(name);
    if (server == null) {
      throw new UnknownEntryException("language server", name, listed(languageServers.keySet()), howToAdd);
    }
    return server;
  }

  /**
   * The debug adapter called {@code name}.
   *
   * @throws UnknownEntryException listing the known names
   */
  public DebugAdapter debugAdapter(String name) {
    DebugAdapter adapter = debugAdapters.get(name);
    if (adapter == null) {
      throw new UnknownEntryException("debug adapter", name, listed(debugAdapters.keySet()), howToAdd);
    }
    return adapter;
  }

  /**
   * This catalog plus {@code server}, unless an entry of that name exists (the user's file wins); the
   * name is served but not listed when an unknown name is asked for.
   */
  public ServerCatalog withUnlisted(LanguageServer server) {
    if (languageServers.containsKey(server.name())) {
      return this;
    }
    Map<String, LanguageServer> servers = new TreeMap<>(languageServers);
    servers.put(server.name(), server);
    return new ServerCatalog(servers, debugAdapters, howToAdd, plus(server.name()));
  }

  /** As {@link #withUnlisted(LanguageServer)}, for a debug adapter. */
  public ServerCatalog withUnlisted(DebugAdapter adapter) {
    if (debugAdapters.containsKey(adapter.name())) {
      return this;
    }
    Map<String, DebugAdapter> adapters = new TreeMap<>(debugAdapters);
    adapters.put(adapter.name(), adapter);
    return new ServerCatalog(languageServers, adapters, howToAdd, plus(adapter.name()));
  }

  private Set<String> plus(String name) {
    Set<String> names = new java.util.HashSet<>(unlisted);
    names.add(name);
    return names;
  }

  private Set<String> listed(Set<String> names) {
    Set<String> listed = new java.util.TreeSet<>(names);
    listed.removeAll(unlisted);
    return listed;
  }

  /** All language servers, by name. */
  public Map<String, LanguageServer> languageServers() {
    return languageServers;
  }

  /** All debug adapters, by name. */
  public Map<String, DebugAdapter> debugAdapters() {
    return debugAdapters;
  }

  /** The language servers that handle files named {@code fileName}, in name order. */
  public List<LanguageServer> languageServersForFile(String fileName) {
    List<LanguageServer> servers = new ArrayList<>();
    languageServers.values().stream().filter(s -> s.servesFile(fileName)).forEach(servers::add);
    return servers;
  }

  private static String readBuiltIn() {
    try (InputStream in = ServerCatalog.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + BUILT_IN);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<String> readUserFile(Path file) {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CatalogException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static JsonObject parse(String json, String source) {
    try {
      JsonElement root = JsonParser.parseString(json);
      if (root.isJsonNull()) {
        return new JsonObject(); // An empty file.
      }
      return CatalogJson.object(root, source);
    } catch (JsonParseException e) {
      throw new CatalogException(source + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  private static final class Builder {
    private final Map<String, LanguageServer> languageServers = new TreeMap<>();
    private final Map<String, DebugAdapter> debugAdapters = new TreeMap<>();

    void merge(JsonObject catalog, String source) {
      CatalogJson.checkFields(catalog, SECTIONS, source);
      JsonObject servers = CatalogJson.optionalObject(catalog, "languageServers", source);
      for (Map.Entry<String, JsonElement> e : servers.entrySet()) {
        String where = source + ": languageServers." + e.getKey();
        JsonObject entry = CatalogJson.object(e.getValue(), where);
        CatalogJson.checkFields(entry, SERVER_FIELDS, where);
        languageServers.put(e.getKey(), mergeServer(e.getKey(), languageServers.get(e.getKey()), entry, where));
      }
      JsonObject adapters = CatalogJson.optionalObject(catalog, "debugAdapters", source);
      for (Map.Entry<String, JsonElement> e : adapters.entrySet()) {
        String where = source + ": debugAdapters." + e.getKey();
        JsonObject entry = CatalogJson.object(e.getValue(), where);
        CatalogJson.checkFields(entry, ADAPTER_FIELDS, where);
        debugAdapters.put(e.getKey(), mergeAdapter(e.getKey(), debugAdapters.get(e.getKey()), entry, where));
      }
    }

    private static LanguageServer mergeServer(String name, LanguageServer base, JsonObject entry,
        String where) {
      return new LanguageServer(name,
          CatalogJson.command(entry, base == null ? null : base.command(), where),
          CatalogJson.strings(entry, "languages", base == null ? List.of() : base.languages(), where),
          CatalogJson.strings(entry, "extensions", base == null ? List.of() : base.extensions(), where),
          CatalogJson.strings(entry, "rootMarkers", base == null ? List.of() : base.rootMarkers(), where));
    }

    private static DebugAdapter mergeAdapter(String name, DebugAdapter base, JsonObject entry,
        String where) {
      return new DebugAdapter(name,
          CatalogJson.command(entry, base == null ? null : base.command(), where),
          CatalogJson.strings(entry, "languages", base == null ? List.of() : base.languages(), where),
          CatalogJson.strings(entry, "alternatives", base == null ? List.of() : base.alternatives(), where),
          CatalogJson.strings(entry, "probe", base == null ? List.of() : base.probe(), where),
          packageHint(entry, base, where),
          CatalogJson.strings(entry, "pathKeys", base == null ? List.of("program", "cwd") : base.pathKeys(), where));
    }

    private static String packageHint(JsonObject entry, DebugAdapter base, String where) {
      if (!entry.has("package")) {
        return base == null ? null : base.packageHint();
      }
      JsonElement value = entry.get("package");
      if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
        throw new CatalogException(where + ": \"package\" must be a string (what to install, e.g. a Debian package)");
      }
      return value.getAsString();
    }

    ServerCatalog build(String howToAdd) {
      return new ServerCatalog(languageServers, debugAdapters, howToAdd);
    }
  }
}
