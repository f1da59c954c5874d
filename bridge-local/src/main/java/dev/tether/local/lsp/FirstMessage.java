package dev.tether.local.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads and checks the first message on an editor connection of {@code tether lsp --listen} before
 * anything is started for it: the first bytes must be an LSP base-protocol header, and the whole first
 * message must arrive and be JSON. A web page can make a browser send a request to a loopback port
 * ({@code fetch}, an {@code <img>}); an HTTP request line ({@code GET / HTTP/1.1}, {@code POST ...}) or
 * any header other than {@code Content-Length} and {@code Content-Type} is refused at its first byte
 * that cannot begin one of those, without waiting for the line to end.
 *
 * <p>Not thread-safe; one instance reads one connection, on that connection's thread.
 */
final class FirstMessage {
  private static final String[] HEADERS = {"content-length:", "content-type:"};
  private static final int MAX_HEADER_LINE = 1024;
  private static final int MAX_HEADER_LINES = 8;

  /** A connection that did not start with a valid LSP message; the reason is for the log. */
  static final class NotLsp extends IOException {
    NotLsp(String reason) {
      super(reason);
    }
  }

  private FirstMessage() {}

  /**
   * Reads the first message; returns every byte read (header and body, as they came) so that the
   * caller can hand them on to the usual reader.
   *
   * @param maxMessage the largest body accepted
   * @throws NotLsp if the bytes are not an LSP message
   * @throws IOException if the connection fails or ends first
   */
  static byte[] read(InputStream in, int maxMessage) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    long length = -1;
    for (int lines = 0; ; lines++) {
      if (lines == MAX_HEADER_LINES) {
        throw new NotLsp("more than " + MAX_HEADER_LINES + " header lines");
      }
      String line = headerLine(in, seen);
      if (line.isEmpty()) {
        break;
      }
      if (line.regionMatches(true, 0, HEADERS[0], 0, HEADERS[0].length())) {
        length = contentLength(line.substring(HEADERS[0].length()).trim(), maxMessage);
      }
    }
    if (length < 0) {
      throw new NotLsp("no Content-Length header");
    }
    byte[] body = in.readNBytes((int) length); // grows as bytes arrive, not by the declared length
    if (body.length < length) {
      throw new EOFException("the connection ended inside the first message");
    }
    checkJson(body);
    seen.writeBytes(body);
    return seen.toByteArray();
  }

  /** One header line without its CRLF; refuses as soon as the line cannot be an LSP header. */
  private static String headerLine(InputStream in, ByteArrayOutputStream seen) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the connection ended inside the header");
      }
      seen.write(b);
      if (b == '\n') {
        if (line.length() == 0 || line.charAt(line.length() - 1) != '\r') {
          throw new NotLsp("a header line not ended by CRLF: " + printable(line));
        }
        line.setLength(line.length() - 1);
        return line.toString();
      }
      line.append((char) b);
      if (line.length() > MAX_HEADER_LINE) {
        throw new NotLsp("a header line longer than " + MAX_HEADER_LINE + " bytes");
      }
      if (!couldBeHeader(line)) {
        throw new NotLsp("not an LSP header: " + printable(line));
      }
    }
  }

  /** Whether {@code line} so far is a prefix of a known header, or one with its value begun. */
  private static boolean couldBeHeader(CharSequence line) {
    if (line.length() == 1 && line.charAt(0) == '\r') {
      return true; // the blank line that ends the header
    }
    String lower = line.toString().toLowerCase(Locale.ROOT);
    for (String header : HEADERS) {
      if (lower.startsWith(header) || header.startsWith(lower)) {
        return true;
      }
    }
    return false;
  }

  private static long contentLength(String value, int maxMessage) throws NotLsp {
    if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new NotLsp("Content-Length is not a number: " + printable(value));
    }
    long length = Long.parseLong(value);
    if (length > maxMessage) {
      throw new NotLsp("Content-Length " + length + " is more than " + maxMessage);
    }
    return length;
  }

  private static void checkJson(byte[] body) throws NotLsp {
    try {
      JsonElement root = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
      if (root.isJsonObject() || root.isJsonArray()) {
        return;
      }
    } catch (RuntimeException notJson) {
      // reported below
    }
    throw new NotLsp("the first message is not a JSON-RPC object");
  }

  /** The start of what the peer sent, safe for a log line. */
  private static String printable(CharSequence text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 80; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return "'" + out + "'";
  }
}
