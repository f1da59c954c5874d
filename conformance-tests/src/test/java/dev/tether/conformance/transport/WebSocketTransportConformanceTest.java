package dev.tether.conformance.transport;

import dev.tether.adapters.ws.WebSocketTransport;
import dev.tether.conformance.ws.WsFixture;
import dev.tether.local.ws.WsConnector;
import dev.tether.mux.testing.TransportFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;

/**
 * Sessions whose bytes cross a real WebSocket: the agent's Jetty endpoint on 127.0.0.1 and the
 * daemon's Jetty client, token checked in the upgrade; over plain ws and over wss with a pinned
 * self-signed certificate. A cut drops the TCP connection under both ends without a close frame.
 */
class WebSocketTransportConformanceTest {
  /** Which end drops the connection in a cut. */
  enum Drop { BOTH, SERVER, CLIENT }

  static TransportFactory over(boolean tls) throws Exception {
    return over(tls, Drop.BOTH);
  }

  static TransportFactory over(boolean tls, Drop drop) throws Exception {
    WsFixture fixture = WsFixture.start(tls, List.of(), 64, null);
    List<AutoCloseable> opened = new ArrayList<>();
    return new TransportFactory() {
      @Override
      public Connection connect() throws Exception {
        WsConnector.Connected client = fixture.connect();
        WebSocketTransport accepted = fixture.nextAccepted();
        synchronized (opened) {
          opened.add(client.connection());
        }
        return new Connection(client.transport(), accepted, () -> {
          if (drop != Drop.SERVER) {
            client.transport().disconnect();
          }
          if (drop != Drop.CLIENT) {
            accepted.disconnect();
          }
        });
      }

      @Override
      public void close() throws Exception {
        synchronized (opened) {
          for (AutoCloseable closeable : opened) {
            closeable.close();
          }
        }
        fixture.close();
      }
    };
  }

  @Nested
  class OverWs extends TransportConformanceTest {
    @Override
    protected TransportFactory newFactory() throws Exception {
      return over(false);
    }
  }

  @Nested
  class OverWss extends TransportConformanceTest {
    @Override
    protected TransportFactory newFactory() throws Exception {
      return over(true);
    }
  }

  /** The agent's side drops the WebSocket; the daemon learns it from TCP alone and resumes. */
  @Nested
  class OverWsDroppedByTheServer extends TransportConformanceTest {
    @Override
    protected TransportFactory newFactory() throws Exception {
      return over(false, Drop.SERVER);
    }
  }

  /** The daemon's side drops the WebSocket; the agent learns it from TCP alone and the session resumes. */
  @Nested
  class OverWsDroppedByTheClient extends TransportConformanceTest {
    @Override
    protected TransportFactory newFactory() throws Exception {
      return over(false, Drop.CLIENT);
    }
  }
}
