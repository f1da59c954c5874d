package dev.tether.conformance.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tether.adapters.ws.WebSocketTransport;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;

/**
 * A browser or a proxy may send WebSocket pings, which Tether does not use itself: the transport must
 * answer them and go on delivering the session's bytes (its reads follow explicit demand, and a ping
 * must not use up a demand the reader is waiting on).
 */
class WebSocketPingTest {
  @Test
  void pingsAreAnsweredAndBytesStillFlowAfterThem() throws Exception {
    try (WsFixture fixture = WsFixture.start(false, List.of(), 4, null)) {
      WebSocketClient client = new WebSocketClient();
      client.start();
      try {
        PongRecorder listener = new PongRecorder();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + fixture.token);
        Session session = client.connect(listener, URI.create(fixture.url()), request).get(30, TimeUnit.SECONDS);
        WebSocketTransport server = fixture.nextAccepted();
        for (int i = 0; i < 3; i++) {
          Callback.Completable sent = new Callback.Completable();
          session.sendPing(ByteBuffer.wrap(("ping-" + i).getBytes(StandardCharsets.US_ASCII)), sent);
          sent.get(30, TimeUnit.SECONDS);
          Callback.Completable data = new Callback.Completable();
          session.sendBinary(ByteBuffer.wrap(("data-" + i).getBytes(StandardCharsets.US_ASCII)), data);
          data.get(30, TimeUnit.SECONDS);
          byte[] got = server.input().readNBytes(6);
          assertArrayEquals(("data-" + i).getBytes(StandardCharsets.US_ASCII), got);
          assertEquals("ping-" + i, listener.pongs.poll(30, TimeUnit.SECONDS), "the pong to ping " + i);
        }
        assertArrayEquals(new String[0], listener.pongs.toArray(new String[0]), "every ping answered once");
      } finally {
        client.stop();
      }
    }
  }
}
