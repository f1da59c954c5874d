package dev.tether.local.dap;

import com.google.gson.JsonObject;
import dev.tether.adapters.dap.DapRewriter;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The client's side of one {@code tether dap}: framed, serialized writes (adapter messages and the
 * bridge's own events interleave), and the events the bridge adds, numbered by the rewriter.
 *
 * <p>Numbering and writing happen under one lock, so the client gets every message in the order of its
 * {@code seq}. That lock is also held while the rewriter copies a host-only file for a message (remote
 * I/O): only this connection's own notices wait behind it, which is the order they must keep anyway.
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

  /** An adapter message, rewritten for the client and written in one step. */
  synchronized void forward(byte[] fromAdapter) throws IOException {
    BaseProtocol.write(out, rewriter.adapterToClient(fromAdapter));
  }

  /** An {@code output} event; {@code important} is shown prominently by clients that know it. */
  void output(String category, String text) {
    JsonObject body = new JsonObject();
    body.addProperty("category", category);
    body.addProperty("output", text);
    synchronized (this) {
      sendQuietly(rewriter.eventToClient("output", body));
    }
  }

  /** The adapter is gone: each request it left unanswered gets an error response with the reason. */
  synchronized void failUnanswered(String reason) {
    for (byte[] response : rewriter.failUnanswered(reason)) {
      sendQuietly(response);
    }
  }

  /** The session cannot go on: {@code terminated}, so the client ends it. */
  void terminated() {
    synchronized (this) {
      sendQuietly(rewriter.eventToClient("terminated", new JsonObject()));
    }
  }

  private void sendQuietly(byte[] body) {
    try {
      send(body);
    } catch (IOException clientGone) {
      // nobody left to tell
    }
  }
}
