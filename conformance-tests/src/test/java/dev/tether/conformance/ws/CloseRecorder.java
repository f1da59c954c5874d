package dev.tether.conformance.ws;

import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Session;

/** A WebSocket endpoint that only records how its WebSocket closed (public: Jetty calls it by method handles). */
public final class CloseRecorder extends Session.Listener.AbstractAutoDemanding {
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    closed.complete(statusCode);
  }
}
