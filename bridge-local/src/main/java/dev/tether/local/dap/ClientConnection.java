package dev.tether.local.dap;

import com.google.gson.JsonObject;
import dev.tether.adapters.dap.DapRewriter;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The client's side of one {@code tether dap}: framed, serialized writes (adapter messages and the
 * bridge's own events interleave), and the events the bridge adds, numbered by the rewriter.
 */
final class ClientConnection {
  private final OutputStream out;
  private final DapRewriter rewriter;

  ClientConnection(OutputStream out, DapRewriter rewriter) {
    this.out = out;
    this.rewriter = rewriter;
  }

  synchronized void send(byte[] body) throws IOException {
    BaseProtocol.write(out, body);
  }

  /** An {@code output} event; {@code important} is shown prominently by clients that know it. */
  void output(String category, String text) {
    JsonObject body = new JsonObject();
    body.addProperty("category", category);
    body.addProperty("output", text);
    sendQuietly(rewriter.eventToClient("output", body));
  }

  /** The session cannot go on: {@code terminated}, so the client ends it. */
  void terminated() {
    sendQuietly(rewriter.eventToClient("terminated", new JsonObject()));
  }

  void sendQuietly(byte[] body) {
    try {
      send(body);
    } catch (IOException clientGone) {
      // nobody left to tell
    }
  }
}
