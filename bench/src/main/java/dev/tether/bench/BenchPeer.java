package dev.tether.bench;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelAcceptor;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.StreamTransport;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * The far end of {@link WsBench}'s sessions: "echo" sends every message back; "source" reads a count
 * (8 bytes) and writes that many bytes, then ends its half.
 */
final class BenchPeer {
  static final ChannelAcceptor SERVICES = request -> {
    Channel channel = request.accept();
    Threads.start("bench-" + request.kind(), () -> {
      try {
        if (request.kind().equals("echo")) {
          for (byte[] message; (message = channel.readMessage()) != null; ) {
            channel.writeMessage(message);
          }
        } else {
          long bytes = new DataInputStream(channel.inputStream()).readLong();
          WsBench.writeZeros(channel.outputStream(), bytes);
        }
        channel.halfClose();
      } catch (IOException e) {
        // the session ended
      }
    });
  };

  private BenchPeer() {}

  /** Serves one session on stdin/stdout (what sshd runs); exits when it detaches or closes. */
  static void serveStdio() throws IOException, InterruptedException {
    SessionListener exit = new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {
        System.exit(0);
      }

      @Override
      public void onClosed(Session session, ErrorCode code, String reason) {
        System.exit(0);
      }
    };
    new SessionRegistry(SessionConfig.defaults().withAcceptor(SERVICES).withListener(exit))
        .accept(new StreamTransport(System.in, System.out, "stdio"));
    new java.util.concurrent.CountDownLatch(1).await(); // the session's threads are daemons; the listener exits
  }
}
