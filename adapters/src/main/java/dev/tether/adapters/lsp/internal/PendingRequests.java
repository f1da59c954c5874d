package dev.tether.adapters.lsp.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests one peer sent and the other has not answered yet, by id, so that the response can be
 * rewritten by the method it answers (a response carries only the id). Ids of the two peers are
 * separate namespaces, so a connection keeps one instance per direction.
 *
 * <p>Thread-safe: the direction that sends a request records it, the other direction removes it when
 * the response passes.
 */
public final class PendingRequests {
  /** A request awaiting its response, with the partial-result token it announced, if any. */
  public record Pending(String method, String partialResultToken) {}

  private final Map<String, Pending> byId = new ConcurrentHashMap<>();

  /** Records a request; a request whose id is neither a string nor a number cannot be answered. */
  public void add(JsonElement id, Pending pending) {
    String key = key(id);
    if (key != null) {
      byId.put(key, pending);
    }
  }

  /** Removes and returns the request {@code id} answers, or null if none was recorded. */
  public Pending remove(JsonElement id) {
    String key = key(id);
    return key == null ? null : byId.remove(key);
  }

  /** Whether a request with this {@link #key} awaits its response. */
  public boolean containsKey(String key) {
    return byId.containsKey(key);
  }

  /** Number of requests awaiting a response. */
  public int size() {
    return byId.size();
  }

  /**
   * A map key for a JSON-RPC id or progress token: {@code 1} and {@code "1"} differ, as JSON-RPC
   * says, while {@code 1} and {@code 1.0} are the same number. Null for anything else.
   */
  public static String key(JsonElement id) {
    if (id == null || !id.isJsonPrimitive()) {
      return null;
    }
    JsonPrimitive p = id.getAsJsonPrimitive();
    if (p.isString()) {
      return "s:" + p.getAsString();
    }
    if (p.isNumber()) {
      try {
        return "n:" + new BigDecimal(p.getAsString()).stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        return "n:" + p.getAsString();
      }
    }
    return null;
  }
}
