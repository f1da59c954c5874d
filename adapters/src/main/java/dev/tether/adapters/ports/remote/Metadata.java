package dev.tether.adapters.ports.remote;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Reads the small JSON objects of the ports channels' OPEN metadata; null on anything malformed. */
final class Metadata {
  private Metadata() {}

  static JsonObject object(String json) {
    try {
      JsonElement e = JsonParser.parseString(json == null || json.isBlank() ? "{}" : json);
      return e.isJsonObject() ? e.getAsJsonObject() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The integer member {@code name} within [min, max], or null when absent, not a number, or out of range. */
  static Integer port(JsonObject o, String name, int min) {
    try {
      int port = o.get(name).getAsInt();
      return port >= min && port <= 65535 ? port : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String string(JsonObject o, String name) {
    try {
      JsonElement e = o.get(name);
      return e == null || e.isJsonNull() ? null : e.getAsString();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
