package dev.tether.bench.lsp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LSP base protocol framing ({@code Content-Length: N\r\n\r\n} + N bytes of UTF-8 JSON) and the two
 * look-ups the benchmark needs, {@code "method"} and {@code "id"}, by pattern rather than a JSON
 * parser: the messages are the benchmark's own, and a parser's cost would be added to every path.
 */
final class Frames {
  private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(-?\\d+|\"[^\"]*\")");
  private static final int MAX_BODY = 16 * 1024 * 1024;

  private Frames() {
  }

  /** The next message's body, or null at a clean end of input (between messages). */
  static byte[] read(InputStream in) throws IOException {
    int length = -1;
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    boolean any = false;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (!any) {
          return null;
        }
        throw new EOFException("input ended inside a message header");
      }
      any = true;
      if (b == '\n') {
        String header = line.toString(StandardCharsets.US_ASCII).strip();
        line.reset();
        if (header.isEmpty()) {
          break;
        }
        int colon = header.indexOf(':');
        if (colon > 0 && header.substring(0, colon).strip().equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(header.substring(colon + 1).strip());
        }
      } else {
        line.write(b);
      }
    }
    if (length < 0 || length > MAX_BODY) {
      throw new IOException("bad or missing Content-Length: " + length);
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new EOFException("input ended inside a message body");
    }
    return body;
  }

  /** Writes one framed message (not flushed). */
  static void write(OutputStream out, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body);
  }

  static String method(String message) {
    Matcher m = METHOD.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  /** The id as written (a number or a quoted string), or null for a notification. */
  static String id(String message) {
    Matcher m = ID.matcher(message);
    return m.find() ? m.group(1) : null;
  }
}
