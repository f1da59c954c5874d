package dev.tether.bench;

import dev.tether.local.ws.WsConnector;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelAcceptor;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.StreamTransport;
import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.remote.ws.TlsCertificate;
import dev.tether.remote.ws.WsServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Round trip and one-way throughput of a session over a WebSocket (ws and wss, the agent's Jetty
 * endpoint and the daemon's Jetty client, in one JVM on loopback), beside the same session over plain
 * loopback TCP and a direct TCP echo without any session. Markdown on stdout.
 *
 * <pre>java -cp ... dev.tether.bench.WsBench [SAMPLES] [BULK_MIB]</pre>
 */
public final class WsBench {
  private static final int MESSAGE = 64;

  private WsBench() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    long bulk = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
    Path dir = Files.createTempDirectory("ws-bench-");
    ConnectionToken token = ConnectionToken.loadOrCreate(dir.resolve("token"));
    String tokenText = Files.readString(dir.resolve("token")).strip();
    TlsCertificate certificate = TlsCertificate.selfSigned(dir, List.of("127.0.0.1"));
    System.out.println("| transport | round trip p50 | p99 | " + (bulk >> 20) + " MiB one way |");
    System.out.println("|---|---|---|---|");
    System.out.println(directTcp(samples, bulk));
    SessionRegistry registry = new SessionRegistry(SessionConfig.defaults().withAcceptor(SERVICES));
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          registry.accept(StreamTransport.of(listener.accept()));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      acceptor.start();
      Session session = Session.connect(StreamTransport.of(new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())),
          SessionConfig.defaults());
      System.out.println(row("session over TCP", session, samples, bulk));
      session.close();
    }
    for (boolean tls : new boolean[] {false, true}) {
      WsServer server = WsServer.start(new WsServer.Settings("127.0.0.1", 0, tls ? certificate.keyStore() : null,
          tls ? certificate.password() : null, List.of(), List.of(), 4, Duration.ofSeconds(60)), token, transport -> {
            try {
              registry.accept(transport);
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          });
      String url = (tls ? "wss" : "ws") + "://127.0.0.1:" + server.port() + "/";
      WsConnector.Connected ws = WsConnector.connect(url, new WsConnector.Credentials(tokenText, tls ? certificate.fingerprint() : null));
      Session session = Session.connect(ws.transport(), SessionConfig.defaults());
      System.out.println(row("session over " + (tls ? "wss" : "ws"), session, samples, bulk));
      session.close();
      ws.connection().close();
      server.close();
    }
    System.exit(0);
  }

  /** echo: every message back; sink: counts the bytes until the end, then answers the count. */
  private static final ChannelAcceptor SERVICES = request -> {
    Channel channel = request.accept();
    Thread thread = new Thread(() -> {
      try {
        if (request.kind().equals("echo")) {
          byte[] message;
          while ((message = channel.readMessage()) != null) {
            channel.writeMessage(message);
          }
        } else {
          InputStream in = channel.inputStream();
          byte[] buffer = new byte[65536];
          long total = 0;
          for (int n; (n = in.read(buffer)) >= 0; ) {
            total += n;
          }
          channel.write(ByteBuffer.allocate(8).putLong(total).array(), 0, 8);
        }
        channel.halfClose();
      } catch (Exception ignored) {
        // the session ended
      }
    }, "bench-" + request.kind());
    thread.setDaemon(true);
    thread.start();
  };

  private static String row(String name, Session session, int samples, long bulk) throws Exception {
    Channel echo = session.open("echo", ChannelFlavour.MESSAGES, "");
    byte[] message = new byte[MESSAGE];
    long[] nanos = new long[samples];
    for (int i = -samples / 5; i < samples; i++) {
      long t0 = System.nanoTime();
      echo.writeMessage(message);
      echo.readMessage();
      if (i >= 0) {
        nanos[i] = System.nanoTime() - t0;
      }
    }
    echo.close();
    Channel sink = session.open("sink", ChannelFlavour.BYTES, "");
    byte[] chunk = new byte[65536];
    long t0 = System.nanoTime();
    for (long left = bulk; left > 0; left -= chunk.length) {
      sink.write(chunk, 0, (int) Math.min(chunk.length, left));
    }
    sink.halfClose();
    long received = new DataInputStream(sink.inputStream()).readLong();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (received != bulk) {
      throw new IllegalStateException(name + ": " + received + " of " + bulk + " bytes arrived");
    }
    return format(name, nanos, bulk, seconds);
  }

  private static String directTcp(int samples, long bulk) throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> {
        try (Socket echo = listener.accept(); Socket sink = listener.accept()) {
          echo.setTcpNoDelay(true);
          byte[] message = new byte[MESSAGE];
          DataInputStream in = new DataInputStream(echo.getInputStream());
          for (int i = -samples / 5; i < samples; i++) {
            in.readFully(message);
            echo.getOutputStream().write(message);
          }
          byte[] buffer = new byte[65536];
          long total = 0;
          InputStream bulkIn = sink.getInputStream();
          for (int n; total < bulk && (n = bulkIn.read(buffer)) >= 0; ) {
            total += n;
          }
          new DataOutputStream(sink.getOutputStream()).writeLong(total);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      server.setDaemon(true);
      server.start();
      try (Socket echo = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
          Socket sink = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        echo.setTcpNoDelay(true);
        byte[] message = new byte[MESSAGE];
        DataInputStream in = new DataInputStream(echo.getInputStream());
        long[] nanos = new long[samples];
        for (int i = -samples / 5; i < samples; i++) {
          long t0 = System.nanoTime();
          echo.getOutputStream().write(message);
          in.readFully(message);
          if (i >= 0) {
            nanos[i] = System.nanoTime() - t0;
          }
        }
        byte[] chunk = new byte[65536];
        long t0 = System.nanoTime();
        for (long left = bulk; left > 0; left -= chunk.length) {
          sink.getOutputStream().write(chunk, 0, (int) Math.min(chunk.length, left));
        }
        new DataInputStream(sink.getInputStream()).readLong();
        return format("direct TCP, no session", nanos, bulk, (System.nanoTime() - t0) / 1e9);
      }
    }
  }

  private static String format(String name, long[] nanos, long bulk, double seconds) {
    Arrays.sort(nanos);
    return String.format("| %s | %.0f µs | %.0f µs | %.0f MiB/s |", name, nanos[nanos.length / 2] / 1e3,
        nanos[(int) (nanos.length * 0.99)] / 1e3, (bulk >> 20) / seconds);
  }
}
