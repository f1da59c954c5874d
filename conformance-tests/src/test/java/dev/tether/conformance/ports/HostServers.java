package dev.tether.conformance.ports;

import com.sun.net.httpserver.HttpServer;
import dev.tether.conformance.lsp.Processes;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Real servers for the tests: the JDK's HTTP server in this JVM, and Python's http.server as its own process. */
final class HostServers {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  private HostServers() {}

  /** An HTTP server on 127.0.0.1 (any port): GET /big answers {@code big}; POST /sha256 answers the body's SHA-256. */
  static Http http(byte[] big) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    ExecutorService executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/big", exchange -> {
      exchange.sendResponseHeaders(200, big.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(big);
      }
    });
    server.createContext("/sha256", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      byte[] answer = sha256(body).getBytes();
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.start();
    return new Http(server, executor);
  }

  record Http(HttpServer server, ExecutorService executor) implements AutoCloseable {
    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  /** {@code /usr/bin/python3 -m http.server --bind 127.0.0.1 PORT} serving {@code directory}, once it accepts connections. */
  static Process python(Path directory, int port) throws IOException {
    if (!Files.isExecutable(PYTHON)) {
      throw new AssertionError("/usr/bin/python3 is missing: apt-get install python3");
    }
    Process process = new ProcessBuilder(PYTHON.toString(), "-m", "http.server", "--bind", "127.0.0.1",
        Integer.toString(port))
        .directory(directory.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return process;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          Processes.endTree(process.toHandle());
          throw new AssertionError("python3 -m http.server did not start listening on 127.0.0.1:" + port);
        }
      }
      try {
        Thread.sleep(100); // another process's socket: polling is the simple honest way
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** A port nothing listens on right now (bound to 0 and released). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }
}
