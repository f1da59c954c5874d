package dev.tether.adapters.lsp.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A place in a parsed message that holds a URI: a string member of an object, a string element of an
 * array, or a key of an object used as a map. Equal slots name the same place, so a URI reached by
 * two alternatives of a union is translated once.
 */
public final class UriSlot {
  private final JsonElement container;
  private final String key;
  private final int index;
  private final boolean isKey;

  private UriSlot(JsonElement container, String key, int index, boolean isKey) {
    this.container = container;
    this.key = key;
    this.index = index;
    this.isKey = isKey;
  }

  static UriSlot member(JsonObject object, String name) {
    return new UriSlot(object, name, -1, false);
  }

  static UriSlot element(JsonArray array, int index) {
    return new UriSlot(array, null, index, false);
  }

  static UriSlot key(JsonObject object, String key) {
    return new UriSlot(object, key, -1, true);
  }

  /** Whether this slot is an object key; keys are renamed after all values are replaced. */
  public boolean isKey() {
    return isKey;
  }

  /** The URI currently held. */
  public String uri() {
    if (isKey) {
      return key;
    }
    JsonElement value = container.isJsonArray()
        ? container.getAsJsonArray().get(index) : container.getAsJsonObject().get(key);
    return value.getAsString();
  }

  /** Replaces the URI, keeping the member's or key's position. */
  public void replace(String uri) {
    if (isKey) {
      renameKey(container.getAsJsonObject(), key, uri);
    } else if (container.isJsonArray()) {
      container.getAsJsonArray().set(index, new JsonPrimitive(uri));
    } else {
      container.getAsJsonObject().add(key, new JsonPrimitive(uri));
    }
  }

  // JsonObject cannot rename in place; rebuilding keeps the order, which peers may not care about but
  // a reader of a logged message does.
  private static void renameKey(JsonObject object, String from, String to) {
    List<Map.Entry<String, JsonElement>> entries = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      entries.add(Map.entry(e.getKey(), e.getValue()));
    }
    entries.forEach(e -> object.remove(e.getKey()));
    for (Map.Entry<String, JsonElement> e : entries) {
      object.add(e.getKey().equals(from) ? to : e.getKey(), e.getValue());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UriSlot other && container == other.container && index == other.index
        && isKey == other.isKey && Objects.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(container) * 31 + Objects.hash(key, index, isKey);
  }
}
