package dev.tether.bench.lsp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The benchmark's language server: LSP base protocol (Content-Length framing) on stdin/stdout,
 * answering every request at once with a fixed result, so that a round trip measures only the path
 * between editor and server. {@code initialize} gets empty capabilities, {@link #PING} gets
 * {@code "pong"}, {@link #ECHO} its own params, {@code shutdown} and any other request {@code null};
 * {@code exit} or end of input ends the process. Notifications are read and ignored.
 *
 * <p>Deliberately JDK-only and tiny (two classes loaded beyond the JDK): its JVM start is part of every
 * start-up figure, the same in every path. Run as {@code java -cp bench/target/classes
 * dev.tether.bench.lsp.PingServer}.
 */
public final class PingServer {
  /** The tiny request every round trip sends. */
  public static final String PING = "bench/ping";
  /** Answered with its own params as the result: the throughput bench's large messages, both ways. */
  public static final String ECHO = "bench/echo";
  static final String INITIALIZE_RESULT = "{\"capabilities\":{},\"serverInfo\":{\"name\":\"tether-bench-ping\",\"version\":\"1\"}}";

  private PingServer() {
  }

  /** The params of a message the bench wrote, which ends with them: {@code ..."params":VALUE}}. */
  static String params(String message) {
    int at = message.indexOf("\"params\":");
    return at < 0 ? "null" : message.substring(at + "\"params\":".length(), message.length() - 1);
  }

  public static void main(String[] args) throws IOException {
    InputStream in = new BufferedInputStream(System.in, 64 * 1024);
    OutputStream out = new BufferedOutputStream(System.out, 64 * 1024);
    byte[] body;
    while ((body = Frames.read(in)) != null) {
      String message = new String(body, StandardCharsets.UTF_8);
      String method = Frames.method(message);
      String id = Frames.id(message);
      if ("exit".equals(method)) {
        break;
      }
      if (id == null) {
        continue; // a notification
      }
      String result = switch (method == null ? "" : method) {
        case "initialize" -> INITIALIZE_RESULT;
        case PING -> "\"pong\"";
        case ECHO -> params(message);
        default -> "null";
      };
      Frames.write(out, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
      out.flush();
    }
    out.flush();
    System.exit(0);
  }
}
