package dev.tether.conformance.ws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.jetty.websocket.api.Session;

/** A WebSocket endpoint that records the pongs it receives (public: Jetty calls it by method handles). */
public final class PongRecorder extends Session.Listener.AbstractAutoDemanding {
  public final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();

  @Override
  public void onWebSocketPong(ByteBuffer payload) {
    pongs.add(StandardCharsets.US_ASCII.decode(payload).toString());
  }
}
