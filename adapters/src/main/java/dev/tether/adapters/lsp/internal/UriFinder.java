package dev.tether.adapters.lsp.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the URIs in one parsed message by following {@link UriTable} paths through the JSON actually
 * present. A union's alternatives are all tried; an alternative that does not fit the JSON (a property
 * that is absent, an array where an object is expected, a number where a URI string would be) finds
 * nothing, so no value is ever taken for a URI unless some alternative types it as one.
 *
 * <p>Not thread-safe; one instance per message.
 */
public final class UriFinder {
  // Guards against a table whose types refer to each other without consuming JSON; the real table
  // nests @Type references a few levels deep at most.
  private static final int MAX_TYPE_DEPTH = 32;

  private final UriTable table;
  private final Map<UriSlot, Boolean> found = new LinkedHashMap<>();

  public UriFinder(UriTable table) {
    this.table = table;
  }

  /** Follows {@code paths} from the member {@code name} of {@code parent}, if present. */
  public void find(JsonObject parent, String name, List<UriPath> paths) {
    JsonElement value = parent.get(name);
    if (value == null || paths.isEmpty()) {
      return;
    }
    for (UriPath path : paths) {
      follow(value, UriSlot.member(parent, name), path, 0, Navigation.UNDECIDED, 0);
    }
  }

  /**
   * The slots found so far, each once, with whether the editor may open the URI there
   * ({@link Navigation#TARGET} along at least one alternative).
   */
  public Map<UriSlot, Boolean> slots() {
    return found;
  }

  private void follow(JsonElement node, UriSlot at, UriPath path, int step, Navigation nav, int depth) {
    if (step == path.steps().size()) {
      end(node, at, path, nav, depth);
      return;
    }
    UriPath.Step s = path.steps().get(step);
    switch (s.kind()) {
      case PROPERTY:
        if (node.isJsonObject() && node.getAsJsonObject().has(s.name())) {
          JsonObject object = node.getAsJsonObject();
          follow(object.get(s.name()), UriSlot.member(object, s.name()), path, step + 1, nav, depth);
        }
        break;
      case EACH_ELEMENT:
        if (node.isJsonArray()) {
          JsonArray array = node.getAsJsonArray();
          for (int i = 0; i < array.size(); i++) {
            follow(array.get(i), UriSlot.element(array, i), path, step + 1, nav, depth);
          }
        }
        break;
      case EACH_VALUE:
        if (node.isJsonObject()) {
          JsonObject object = node.getAsJsonObject();
          for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            follow(e.getValue(), UriSlot.member(object, e.getKey()), path, step + 1, nav, depth);
          }
        }
        break;
    }
  }

  private void end(JsonElement node, UriSlot at, UriPath path, Navigation nav, int depth) {
    switch (path.end()) {
      case URI_VALUE:
        if (node.isJsonPrimitive() && node.getAsJsonPrimitive().isString()) {
          add(at, nav);
        }
        break;
      case URI_KEYS:
        if (node.isJsonObject()) {
          node.getAsJsonObject().keySet().forEach(k -> add(UriSlot.key(node.getAsJsonObject(), k), nav));
        }
        break;
      case TYPE:
        if (depth < MAX_TYPE_DEPTH) {
          Navigation inner = nav.enter(path.type());
          for (UriPath typePath : table.type(path.type())) {
            follow(node, at, typePath, 0, inner, depth + 1);
          }
        }
        break;
    }
  }

  private void add(UriSlot slot, Navigation nav) {
    found.merge(slot, nav == Navigation.TARGET, Boolean::logicalOr);
  }
}
