package dev.tether.local.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The editor's side of the conversation: framed writes to its input (serialized, since server
 * messages and our own notices interleave), plus the notices themselves: trouble is shown in the
 * editor with {@code window/showMessage}, not only logged.
 */
final class EditorConnection {
  static final int MESSAGE_ERROR = 1;
  static final int MESSAGE_WARNING = 2;
  static final int MESSAGE_INFO = 3;

  private final OutputStream out;

  EditorConnection(OutputStream out) {
    this.out = out;
  }

  synchronized void send(byte[] body) throws IOException {
    BaseProtocol.write(out, body);
  }

  void showMessage(int type, String text) {
    notifyMessage("window/showMessage", type, text);
  }

  /** A line for the editor's log of this server (allowed before {@code initialize} is answered). */
  void logMessage(int type, String text) {
    notifyMessage("window/logMessage", type, text);
  }

  private void notifyMessage(String method, int type, String text) {
    JsonObject params = new JsonObject();
    params.addProperty("type", type);
    params.addProperty("message", text);
    JsonObject message = new JsonObject();
    message.addProperty("jsonrpc", "2.0");
    message.addProperty("method", method);
    message.add("params", params);
    sendQuietly(message);
  }

  /** Answers a request we cannot serve with a JSON-RPC error carrying the reason. */
  void failRequest(JsonElement id, String reason) {
    JsonObject error = new JsonObject();
    error.addProperty("code", -32603);
    error.addProperty("message", reason);
    JsonObject message = new JsonObject();
    message.addProperty("jsonrpc", "2.0");
    message.add("id", id);
    message.add("error", error);
    sendQuietly(message);
  }

  private void sendQuietly(JsonObject message) {
    try {
      send(message.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException editorGone) {
      // the editor closed our stdout: nobody left to tell
    }
  }

  /** The id of a request (a message with both method and id), or null. */
  static JsonElement requestId(byte[] body) {
    try {
      JsonElement root = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
      if (root.isJsonObject() && root.getAsJsonObject().has("method") && root.getAsJsonObject().has("id")) {
        return root.getAsJsonObject().get("id");
      }
    } catch (RuntimeException notJson) {
      // nothing to answer
    }
    return null;
  }

  static boolean isExit(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return text.contains("\"exit\"") && text.contains("\"method\"");
  }
}
