package dev.tether.conformance.transport;

import dev.tether.mux.testing.TransportFactory;
import dev.tether.mux.transport.StreamTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Sessions over real TCP sockets on 127.0.0.1; a cut is an abortive close (RST). */
class LoopbackSocketTransportConformanceTest extends TransportConformanceTest {
  @Override
  protected TransportFactory newFactory() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    return new TransportFactory() {
      @Override
      public Connection connect() throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept();
        return new Connection(StreamTransport.of(client), StreamTransport.of(accepted), () -> {
          abort(client);
          abort(accepted);
        });
      }

      @Override
      public void close() throws IOException {
        server.close();
      }
    };
  }

  private static void abort(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // already gone is as good as cut
    }
  }
}
