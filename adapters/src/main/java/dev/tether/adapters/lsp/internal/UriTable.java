package dev.tether.adapters.lsp.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each LSP message carries URIs: the checked-in {@code uri-table.json}, derived from the LSP
 * meta model by {@code UriTableGenerator} in the test sources. Immutable and shared.
 */
public final class UriTable {
  static final String RESOURCE = "/dev/tether/adapters/lsp/uri-table.json";

  /** The URI paths of one method; every list may be empty. */
  public record MethodPaths(List<UriPath> params, List<UriPath> result, List<UriPath> partialResult,
      List<UriPath> registrationOptions) {
    static final MethodPaths NONE = new MethodPaths(List.of(), List.of(), List.of(), List.of());

    /** Whether a response to this method, or its partial results, may need rewriting. */
    public boolean hasResultPaths() {
      return !result.isEmpty() || !partialResult.isEmpty();
    }
  }

  private final Map<String, MethodPaths> methods;
  private final Map<String, List<UriPath>> types;

  private UriTable(Map<String, MethodPaths> methods, Map<String, List<UriPath>> types) {
    this.methods = methods;
    this.types = types;
  }

  /** The table shipped with Tether. */
  public static UriTable standard() {
    return Standard.TABLE;
  }

  private static final class Standard {
    static final UriTable TABLE = load();

    private static UriTable load() {
      try (InputStream in = UriTable.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + RESOURCE);
        }
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Parses a table and checks that every {@code @Type} it mentions is defined.
   *
   * @throws IllegalArgumentException if the table is malformed
   */
  public static UriTable parse(String json) {
    JsonObject root = JsonParser.parseString(json).getAsJsonObject();
    Map<String, List<UriPath>> types = new HashMap<>();
    root.getAsJsonObject("types").entrySet()
        .forEach(e -> types.put(e.getKey(), paths(e.getValue())));
    Map<String, MethodPaths> methods = new HashMap<>();
    root.getAsJsonObject("methods").entrySet()
        .forEach(e -> methods.put(e.getKey(), methodPaths(e.getValue().getAsJsonObject())));
    UriTable table = new UriTable(Map.copyOf(methods), Map.copyOf(types));
    table.checkReferences();
    return table;
  }

  private static MethodPaths methodPaths(JsonObject entry) {
    return new MethodPaths(paths(entry.get("params")), paths(entry.get("result")),
        paths(entry.get("partialResult")), paths(entry.get("registrationOptions")));
  }

  private static List<UriPath> paths(JsonElement list) {
    if (list == null) {
      return List.of();
    }
    List<UriPath> paths = new ArrayList<>();
    list.getAsJsonArray().forEach(p -> paths.add(UriPath.parse(p.getAsString())));
    return List.copyOf(paths);
  }

  private void checkReferences() {
    List<List<UriPath>> all = new ArrayList<>(types.values());
    for (MethodPaths m : methods.values()) {
      all.addAll(List.of(m.params(), m.result(), m.partialResult(), m.registrationOptions()));
    }
    for (List<UriPath> paths : all) {
      for (UriPath path : paths) {
        if (path.end() == UriPath.End.TYPE && !types.containsKey(path.type())) {
          throw new IllegalArgumentException("URI table refers to undefined type " + path.type());
        }
      }
    }
  }

  /** The paths of {@code method}; all empty for a method the table does not know. */
  public MethodPaths method(String method) {
    return methods.getOrDefault(method, MethodPaths.NONE);
  }

  /** The paths of a named type; empty for a type without URIs. */
  public List<UriPath> type(String name) {
    return types.getOrDefault(name, List.of());
  }

  /** Names of the types that carry URIs. */
  public Set<String> typeNames() {
    return types.keySet();
  }

  /** Names of the methods that carry URIs. */
  public Set<String> methodNames() {
    return methods.keySet();
  }
}
