package dev.tether.local.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.StreamSupport;

/** What the demo's editor asks for, and how it shows the answers in one or a few report lines. */
final class LspText {
  private static final int HOVER_LINES = 5;
  private static final int LINE_WIDTH = 100;
  private static final int COMPLETION_WIDTH = 80;

  private LspText() {}

  /** A plain-text editor: hover in plaintext, no snippets, no links, no progress tokens. */
  static JsonObject clientCapabilities() {
    return JsonParser.parseString("""
        {"textDocument": {
          "synchronization": {"didSave": false},
          "hover": {"contentFormat": ["plaintext"]},
          "definition": {"linkSupport": false},
          "completion": {"completionItem": {"snippetSupport": false}},
          "publishDiagnostics": {}
        }}""").getAsJsonObject();
  }

  /** The server's name and version, and which of the demo's features it offers. */
  static String serverInfo(JsonObject initializeResult, String fallbackName) {
    JsonObject info = initializeResult.has("serverInfo") ? initializeResult.getAsJsonObject("serverInfo") : null;
    String name = info == null ? fallbackName : info.get("name").getAsString();
    if (info != null && info.has("version")) {
      String version = info.get("version").getAsString();
      name = version.contains(name) ? version : name + " " + version; // clangd's version names it already
    }
    JsonObject capabilities = initializeResult.getAsJsonObject("capabilities");
    List<String> offered = new ArrayList<>();
    for (String feature : List.of("hover", "definition", "completion", "references", "rename", "documentSymbol")) {
      JsonElement provider = capabilities.get(feature + "Provider");
      if (provider != null && !(provider.isJsonPrimitive() && !provider.getAsBoolean())) {
        offered.add(feature);
      }
    }
    return name + "; offers " + String.join(", ", offered);
  }

  static String diagnostics(JsonObject params, Path localRoot) {
    JsonArray list = params.getAsJsonArray("diagnostics");
    String file = relative(params.get("uri").getAsString(), localRoot);
    String count = list.size() + (list.size() == 1 ? " diagnostic" : " diagnostics") + " for " + file;
    if (list.isEmpty()) {
      return count;
    }
    JsonObject first = list.get(0).getAsJsonObject();
    int line = first.getAsJsonObject("range").getAsJsonObject("start").get("line").getAsInt() + 1;
    return count + ", first: line " + line + ": " + oneLine(first.get("message").getAsString());
  }

  /** The hover text's first non-blank lines. */
  static List<String> hover(JsonElement result) {
    if (result == null || result.isJsonNull()) {
      return List.of();
    }
    StringBuilder text = new StringBuilder();
    appendMarked(result.getAsJsonObject().get("contents"), text);
    return text.toString().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("```"))
        .limit(HOVER_LINES).map(LspText::clip).toList();
  }

  /** MarkupContent, a MarkedString (string or {language, value}), or an array of MarkedStrings. */
  private static void appendMarked(JsonElement contents, StringBuilder text) {
    if (contents == null || contents.isJsonNull()) {
      return;
    }
    if (contents.isJsonArray()) {
      contents.getAsJsonArray().forEach(c -> appendMarked(c, text));
    } else if (contents.isJsonPrimitive()) {
      text.append(contents.getAsString()).append('\n');
    } else {
      text.append(contents.getAsJsonObject().get("value").getAsString()).append('\n');
    }
  }

  /** Location, Location[] or LocationLink[]: the first target as path:line (1-based). */
  static String location(JsonElement result, Path localRoot) {
    JsonObject first = result.isJsonArray()
        ? (result.getAsJsonArray().isEmpty() ? null : result.getAsJsonArray().get(0).getAsJsonObject())
        : result.isJsonObject() ? result.getAsJsonObject() : null;
    if (first == null) {
      return "(no definition found)";
    }
    boolean link = first.has("targetUri");
    String uri = first.get(link ? "targetUri" : "uri").getAsString();
    JsonObject range = first.getAsJsonObject(link ? "targetSelectionRange" : "range");
    int line = range.getAsJsonObject("start").get("line").getAsInt() + 1;
    Path path = Path.of(URI.create(uri));
    return path + ":" + line + (path.startsWith(localRoot) ? " (the editor's copy)" : "");
  }

  /** CompletionItem[] or CompletionList: how many, and the first few labels in the server's order. */
  static String completion(JsonElement result) {
    if (result == null || result.isJsonNull()) {
      return "0 items";
    }
    JsonArray items = result.isJsonArray() ? result.getAsJsonArray() : result.getAsJsonObject().getAsJsonArray("items");
    List<String> labels = StreamSupport.stream(items.spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .sorted(Comparator.comparing((JsonObject i) -> i.has("sortText") ? i.get("sortText").getAsString()
            : i.get("label").getAsString()))
        .map(i -> i.get("label").getAsString().strip())
        .toList();
    StringBuilder shown = new StringBuilder(items.size() + " items: ");
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0 && shown.length() + labels.get(i).length() > COMPLETION_WIDTH) {
        return shown.append("...").toString();
      }
      shown.append(labels.get(i)).append(i + 1 < labels.size() ? ", " : "");
    }
    return shown.toString();
  }

  private static String relative(String uri, Path root) {
    try {
      Path path = Path.of(URI.create(uri));
      return path.startsWith(root) ? root.relativize(path).toString() : path.toString();
    } catch (IllegalArgumentException e) {
      return uri;
    }
  }

  private static String oneLine(String text) {
    return clip(text.replaceAll("\\s+", " ").strip());
  }

  private static String clip(String line) {
    return line.length() <= LINE_WIDTH ? line : line.substring(0, LINE_WIDTH - 3) + "...";
  }
}
