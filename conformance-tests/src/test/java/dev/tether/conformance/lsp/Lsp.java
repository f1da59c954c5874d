package dev.tether.conformance.lsp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** LSP messages as an editor builds and reads them (plain Gson, no protocol library in between). */
final class Lsp {
  private Lsp() {
  }

  /** The editor's spelling of a file URI: {@code file:///dir/file}, no trailing slash. */
  static String uri(Path path) {
    return "file://" + path.toAbsolutePath();
  }

  static JsonObject initializeParams(Path root) {
    return json("""
        {"processId": %d, "clientInfo": {"name": "tether-conformance"}, "rootPath": "%s", "rootUri": "%s",
         "workspaceFolders": [{"uri": "%s", "name": "%s"}],
         "capabilities": {
           "window": {"workDoneProgress": true, "showMessage": {}},
           "workspace": {"configuration": true, "workspaceFolders": true},
           "textDocument": {
             "synchronization": {"didSave": true},
             "hover": {"contentFormat": ["markdown", "plaintext"]},
             "completion": {"completionItem": {"snippetSupport": false}},
             "definition": {"linkSupport": false},
             "publishDiagnostics": {"relatedInformation": true}}}}
        """.formatted(ProcessHandle.current().pid(), root, uri(root), uri(root), root.getFileName()));
  }

  static JsonObject didOpen(String uri, String languageId, String text) {
    JsonObject document = new JsonObject();
    document.addProperty("uri", uri);
    document.addProperty("languageId", languageId);
    document.addProperty("version", 1);
    document.addProperty("text", text);
    JsonObject params = new JsonObject();
    params.add("textDocument", document);
    return params;
  }

  static JsonObject at(String uri, Position position) {
    JsonObject document = new JsonObject();
    document.addProperty("uri", uri);
    JsonObject params = new JsonObject();
    params.add("textDocument", document);
    params.add("position", position.json());
    return params;
  }

  static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  /** A zero-based line and UTF-16 column (the test sources are ASCII). */
  record Position(int line, int character) {
    /** Where {@code offset} characters into the first occurrence of {@code needle} in {@code text} is. */
    static Position of(String text, String needle, int offset) {
      int index = text.indexOf(needle);
      if (index < 0) {
        throw new IllegalArgumentException("'" + needle + "' is not in the test source");
      }
      int at = index + offset;
      int line = (int) text.substring(0, at).chars().filter(c -> c == '\n').count();
      return new Position(line, at - (text.lastIndexOf('\n', at - 1) + 1));
    }

    static Position of(JsonObject position) {
      return new Position(position.get("line").getAsInt(), position.get("character").getAsInt());
    }

    JsonObject json() {
      JsonObject p = new JsonObject();
      p.addProperty("line", line);
      p.addProperty("character", character);
      return p;
    }
  }

  /** A definition answer's targets ({@code Location} or {@code LocationLink}, one or many). */
  record Target(String uri, Position start) {
  }

  static List<Target> targets(JsonElement result) {
    List<Target> out = new ArrayList<>();
    if (result == null || result.isJsonNull()) {
      return out;
    }
    JsonArray all = result.isJsonArray() ? result.getAsJsonArray() : single(result);
    for (JsonElement e : all) {
      JsonObject o = e.getAsJsonObject();
      boolean link = o.has("targetUri");
      JsonObject range = o.getAsJsonObject(link ? "targetSelectionRange" : "range");
      out.add(new Target(o.get(link ? "targetUri" : "uri").getAsString(), Position.of(range.getAsJsonObject("start"))));
    }
    return out;
  }

  private static JsonArray single(JsonElement e) {
    JsonArray a = new JsonArray();
    a.add(e);
    return a;
  }

  /** A hover answer's text, whatever its shape (MarkupContent, MarkedString, or an array of them). */
  static String hoverText(JsonElement result) {
    if (result == null || result.isJsonNull()) {
      return "";
    }
    return text(result.getAsJsonObject().get("contents"));
  }

  private static String text(JsonElement contents) {
    if (contents == null || contents.isJsonNull()) {
      return "";
    }
    if (contents.isJsonPrimitive()) {
      return contents.getAsString();
    }
    if (contents.isJsonArray()) {
      StringBuilder all = new StringBuilder();
      contents.getAsJsonArray().forEach(e -> all.append(text(e)).append('\n'));
      return all.toString();
    }
    JsonElement value = contents.getAsJsonObject().get("value");
    return value == null ? "" : value.getAsString();
  }

  /** The labels of a completion answer (a list of items or a CompletionList). */
  static List<String> completionLabels(JsonElement result) {
    List<String> labels = new ArrayList<>();
    if (result == null || result.isJsonNull()) {
      return labels;
    }
    JsonArray items = result.isJsonArray() ? result.getAsJsonArray() : result.getAsJsonObject().getAsJsonArray("items");
    items.forEach(i -> labels.add(i.getAsJsonObject().get("label").getAsString()));
    return labels;
  }

  /**
   * Copies a scripted Python language server from the test resources into {@code dir} as {@code name},
   * with the framing module it imports ({@code lsp/lsp_stdio.py}) beside it; returns the script's path.
   */
  static Path scriptedServer(String resource, Path dir, String name) throws IOException {
    for (String[] file : new String[][] {{resource, name}, {"/lsp/lsp_stdio.py", "lsp_stdio.py"}}) {
      try (InputStream in = Objects.requireNonNull(Lsp.class.getResourceAsStream(file[0]), file[0])) {
        Files.write(dir.resolve(file[1]), in.readAllBytes());
      }
    }
    return dir.resolve(name);
  }
}
