package dev.tether.remote.testpeer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The scripted language server. Requests and what they do:
 * <ul>
 *   <li>{@code initialize}: result {@code {capabilities: {}, serverInfo, received}}; {@code shutdown}: null.
 *   <li>{@code test/echo}: result {@code {received}}, the base64 of the message's bytes as they arrived.
 *   <li>{@code test/send {messages: [base64...]}}: writes each as a message, byte for byte, then answers.
 *   <li>{@code test/hold}: no answer until a {@code $/cancelRequest} names its id; then error -32800
 *       (RequestCancelled) with the cancel notification's bytes as {@code data.received}.
 *   <li>{@code test/digest}: result {@code {size, sha256}} of the message's bytes (any size up to 64 MiB).
 *   <li>{@code test/big {size}}: a response of exactly {@code size} bytes.
 *   <li>{@code test/crash {status}}: exits at once with that status, answering nothing.
 *   <li>{@code textDocument/definition}: one Location at the request's own document URI.
 *   <li>any other request: error -32601 naming the method, with its bytes as {@code data.received}.
 * </ul>
 * Every response it gets is reported with a {@code test/gotResponse {received}} notification, every
 * notification (but {@code exit}, which ends it, and a cancel that answered a held request) with
 * {@code test/gotNotification {method, received}}.
 */
final class LspTestPeer extends TestPeer {
  private static final int METHOD_NOT_FOUND = -32601;
  private static final int REQUEST_CANCELLED = -32800;

  /** Requests held by test/hold, by the JSON text of their id. */
  private final Map<String, JsonElement> held = new HashMap<>();

  LspTestPeer(OutputStream out) {
    super(out);
  }

  @Override
  void handle(byte[] body) throws IOException {
    if (body.length > SMALL) {
      handleLarge(body);
      return;
    }
    JsonObject message = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    JsonElement method = message.get("method");
    JsonElement id = message.get("id");
    JsonObject params = message.has("params") && message.get("params").isJsonObject()
        ? message.getAsJsonObject("params") : new JsonObject();
    if (method == null) {
      notify("test/gotResponse", received(body));
    } else if (id == null) {
      notification(method.getAsString(), params, body);
    } else {
      request(method.getAsString(), id, params, body);
    }
  }

  private void request(String method, JsonElement id, JsonObject params, byte[] body) throws IOException {
    switch (method) {
      case "initialize" -> {
        JsonObject result = received(body);
        result.add("capabilities", new JsonObject());
        JsonObject info = new JsonObject();
        info.addProperty("name", TestPeerCatalog.NAME);
        result.add("serverInfo", info);
        respond(id, result);
      }
      case "shutdown" -> respond(id, JsonNull.INSTANCE);
      case "test/echo" -> respond(id, received(body));
      case "test/send" -> {
        JsonArray messages = params.getAsJsonArray("messages");
        for (JsonElement one : messages) {
          write(unbase64(one.getAsString()));
        }
        JsonObject result = new JsonObject();
        result.addProperty("sent", messages.size());
        respond(id, result);
      }
      case "test/hold" -> held.put(id.toString(), id);
      case "test/digest" -> respond(id, digest(body));
      case "test/big" -> writeBig(id, params.get("size").getAsInt());
      case "test/crash" -> crash(params.has("status") ? params.get("status").getAsInt() : 1);
      case "textDocument/definition" -> respond(id, definition(params));
      default -> fail(id, METHOD_NOT_FOUND, "tether-test-peer: unknown method " + method, received(body));
    }
  }

  private void notification(String method, JsonObject params, byte[] body) throws IOException {
    if (method.equals("exit")) {
      System.err.println("tether-remote test-peer: exit");
      System.exit(0);
    }
    if (method.equals("$/cancelRequest") && params.has("id")) {
      JsonElement cancelled = held.remove(params.get("id").toString());
      if (cancelled != null) {
        fail(cancelled, REQUEST_CANCELLED, "cancelled", received(body));
        return;
      }
    }
    JsonObject report = received(body);
    report.addProperty("method", method);
    notify("test/gotNotification", report);
  }

  /** A message too big to parse: only test/digest is served at that size. */
  private void handleLarge(byte[] body) throws IOException {
    JsonElement[] idAndMethod = peek(body);
    JsonElement id = idAndMethod[0];
    String method = idAndMethod[1] == null ? null : idAndMethod[1].getAsString();
    if (id == null) {
      System.err.println("tether-remote test-peer: ignoring a " + body.length + "-byte message without id");
    } else if ("test/digest".equals(method)) {
      respond(id, digest(body));
    } else {
      fail(id, METHOD_NOT_FOUND, "tether-test-peer: only test/digest takes messages over " + SMALL + " bytes",
          new JsonObject());
    }
  }

  /** The top-level id and method, read without building the whole tree. */
  private static JsonElement[] peek(byte[] body) throws IOException {
    JsonElement[] found = new JsonElement[2];
    try (JsonReader reader = new JsonReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if ((name.equals("id") || name.equals("method")) && reader.peek() != JsonToken.BEGIN_OBJECT) {
          found[name.equals("id") ? 0 : 1] = JsonParser.parseReader(reader);
        } else {
          reader.skipValue();
        }
      }
    }
    return found;
  }

  private static JsonObject digest(byte[] body) {
    JsonObject result = new JsonObject();
    result.addProperty("size", body.length);
    result.addProperty("sha256", sha256(body));
    return result;
  }

  static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** A response of exactly {@code size} bytes: {@code {"jsonrpc":"2.0","id":ID,"result":{"data":"xxx…"}}}. */
  private void writeBig(JsonElement id, int size) throws IOException {
    byte[] head = ("{\"jsonrpc\":\"2.0\",\"id\":" + GSON.toJson(id) + ",\"result\":{\"data\":\"")
        .getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\"}}".getBytes(StandardCharsets.UTF_8);
    if (size < head.length + tail.length || size > MAX_MESSAGE) {
      fail(id, -32602, "tether-test-peer: test/big size must be " + (head.length + tail.length) + ".." + MAX_MESSAGE,
          new JsonObject());
      return;
    }
    byte[] body = new byte[size];
    System.arraycopy(head, 0, body, 0, head.length);
    Arrays.fill(body, head.length, size - tail.length, (byte) 'x');
    System.arraycopy(tail, 0, body, size - tail.length, tail.length);
    write(body);
  }

  private static JsonArray definition(JsonObject params) {
    JsonObject location = new JsonObject();
    location.add("uri", params.getAsJsonObject("textDocument").get("uri"));
    JsonObject position = new JsonObject();
    position.addProperty("line", 0);
    position.addProperty("character", 0);
    JsonObject range = new JsonObject();
    range.add("start", position);
    range.add("end", position);
    location.add("range", range);
    JsonArray locations = new JsonArray();
    locations.add(location);
    return locations;
  }

  private static JsonObject received(byte[] body) {
    JsonObject result = new JsonObject();
    result.addProperty("received", base64(body));
    return result;
  }

  private void respond(JsonElement id, JsonElement result) throws IOException {
    JsonObject response = envelope();
    response.add("id", id);
    response.add("result", result);
    write(response);
  }

  private void fail(JsonElement id, int code, String text, JsonObject data) throws IOException {
    JsonObject error = new JsonObject();
    error.addProperty("code", code);
    error.addProperty("message", text);
    error.add("data", data);
    JsonObject response = envelope();
    response.add("id", id);
    response.add("error", error);
    write(response);
  }

  private void notify(String method, JsonObject params) throws IOException {
    JsonObject notification = envelope();
    notification.addProperty("method", method);
    notification.add("params", params);
    write(notification);
  }

  private static JsonObject envelope() {
    JsonObject message = new JsonObject();
    message.addProperty("jsonrpc", "2.0");
    return message;
  }
}
