package dev.tether.adapters.catalog;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads catalog JSON with errors that say where the problem is ({@code file: languageServers.x}). */
final class CatalogJson {
  private CatalogJson() {}

  static JsonObject object(JsonElement e, String where) {
    if (e == null || !e.isJsonObject()) {
      throw new CatalogException(where + ": expected a JSON object");
    }
    return e.getAsJsonObject();
  }

  static JsonObject optionalObject(JsonObject parent, String field, String where) {
    return parent.has(field) ? object(parent.get(field), where + ": " + field) : new JsonObject();
  }

  static void checkFields(JsonObject object, Set<String> allowed, String where) {
    Set<String> unknown = new TreeSet<>(object.keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw new CatalogException(where + ": unknown field(s) " + unknown + "; allowed: "
          + new TreeSet<>(allowed));
    }
  }

  /** The entry's command, else {@code inherited}; a new entry without one is an error. */
  static List<String> command(JsonObject entry, List<String> inherited, String where) {
    if (!entry.has("command") && inherited != null) {
      return inherited;
    }
    List<String> command = strings(entry, "command", List.of(), where);
    if (command.isEmpty() || command.get(0).isEmpty()) {
      throw new CatalogException(where + ": \"command\" must be a non-empty array of strings (the argv)");
    }
    return command;
  }

  static List<String> strings(JsonObject entry, String field, List<String> inherited, String where) {
    if (!entry.has(field)) {
      return inherited;
    }
    JsonElement value = entry.get(field);
    if (!value.isJsonArray()) {
      throw new CatalogException(where + ": \"" + field + "\" must be an array of strings");
    }
    List<String> strings = new ArrayList<>();
    for (JsonElement item : value.getAsJsonArray()) {
      if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
        throw new CatalogException(where + ": \"" + field + "\" must be an array of strings");
      }
      strings.add(item.getAsString());
    }
    return strings;
  }
}
