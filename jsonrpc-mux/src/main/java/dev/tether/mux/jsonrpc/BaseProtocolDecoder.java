package dev.tether.mux.jsonrpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Splits a byte stream framed by the LSP base protocol ({@code Content-Length: N\r\n\r\n} then N
 * bytes) into message bodies, whatever the chunking: a message may arrive split over many
 * {@link #feed} calls, or several in one. Header names are case-insensitive; Content-Type and unknown
 * headers are accepted and ignored; bodies are handed on as the exact bytes received, never
 * re-serialized.
 *
 * <p>Not thread-safe: one thread feeds it. After it throws, the stream is out of sync and the
 * decoder must not be fed again.
 */
public final class BaseProtocolDecoder {
  /** Receives each complete message body. */
  @FunctionalInterface
  public interface Sink {
    void message(byte[] body) throws java.io.IOException;
  }

  static final int MAX_HEADER_BYTES = 8 * 1024;
  static final int INITIAL_BODY_BUFFER = 8 * 1024;

  private final int maxMessageSize;
  private final Sink sink;
  private final ByteArrayOutputStream header = new ByteArrayOutputStream(64);
  private byte[] body;
  private int bodyLength;
  private int bodyFilled;
  private int tail; // the last four header bytes, the newest in the low byte
  private boolean failed;

  public BaseProtocolDecoder(int maxMessageSize, Sink sink) {
    this.maxMessageSize = maxMessageSize;
    this.sink = sink;
  }

  public void feed(byte[] b, int off, int len) throws java.io.IOException {
    if (failed) {
      throw new IllegalStateException("decoder already failed; the stream is out of sync");
    }
    int end = off + len;
    while (off < end) {
      if (body == null) {
        off = readHeader(b, off, end);
      } else {
        int n = (int) Math.min(end - off, bodyLength - bodyFilled);
        growBody(n);
        System.arraycopy(b, off, body, bodyFilled, n);
        bodyFilled += n;
        off += n;
      }
      if (body != null && bodyFilled == bodyLength) {
        byte[] complete = body;
        body = null;
        bodyFilled = 0;
        sink.message(complete);
      }
    }
  }

  /** True between messages: nothing of a next message has arrived yet. */
  public boolean atMessageBoundary() {
    return body == null && header.size() == 0;
  }

  private int readHeader(byte[] b, int off, int end) throws BaseProtocolException {
    while (off < end) {
      tail = (tail << 8) | (b[off] & 0xFF);
      header.write(b[off++]);
      if (endsWithBlankLine()) {
        tail = 0;
        startBody(parseContentLength());
        return off;
      }
      if (header.size() > MAX_HEADER_BYTES) {
        throw fail("LSP header longer than " + MAX_HEADER_BYTES + " bytes without a blank line", false);
      }
    }
    return off;
  }

  /**
   * "\r\n\r\n" per the spec; a bare "\n\n" is tolerated since some clients send it. Checked on the last
   * four bytes seen, kept aside, rather than by copying the header out for every byte.
   */
  private boolean endsWithBlankLine() {
    int t = tail;
    return t == 0x0D0A0D0A || (t & 0xFFFF) == 0x0A0A;
  }

  private long parseContentLength() throws BaseProtocolException {
    String text = header.toString(StandardCharsets.US_ASCII);
    header.reset();
    long length = -1;
    for (String line : lines(text)) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw fail("malformed LSP header line: \"" + printable(line) + "\"", false);
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (name.equals("content-length")) {
        length = parseLength(line.substring(colon + 1).trim());
      }
    }
    if (length < 0) {
      throw fail("LSP header without Content-Length: \"" + printable(text.strip()) + "\"", false);
    }
    return length;
  }

  private long parseLength(String value) throws BaseProtocolException {
    try {
      if (value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
        throw new NumberFormatException(); // digits only: no sign, no spaces inside
      }
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw fail("invalid Content-Length \"" + printable(value) + "\"", false);
    }
  }

  private void startBody(long length) throws BaseProtocolException {
    if (length > maxMessageSize) {
      throw fail("Content-Length " + length + " exceeds the limit of " + maxMessageSize + " bytes", true);
    }
    bodyLength = (int) length;
    body = new byte[Math.min(bodyLength, INITIAL_BODY_BUFFER)];
    bodyFilled = 0;
  }

  /**
   * Makes room for {@code n} more body bytes. The buffer grows as bytes arrive (doubling, capped at the
   * Content-Length) instead of being allocated at the declared length: a header that claims 64 MiB
   * followed by ten bytes costs ten bytes.
   */
  private void growBody(int n) {
    if (bodyFilled + n > body.length) {
      body = Arrays.copyOf(body, (int) Math.min(bodyLength, Math.max(2L * body.length, (long) bodyFilled + n)));
    }
  }

  /** The body buffer's current capacity, for the test that proves it grows with the bytes. */
  int bodyCapacity() {
    return body == null ? 0 : body.length;
  }

  private BaseProtocolException fail(String message, boolean tooLarge) {
    failed = true;
    return new BaseProtocolException(message, tooLarge);
  }

  /** The header's non-empty lines, split at "\n" or "\r\n" (no regex: this runs once per message). */
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>(4);
    int start = 0;
    while (start < text.length()) {
      int newline = text.indexOf('\n', start);
      int end = newline < 0 ? text.length() : newline;
      int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      if (stop > start) {
        out.add(text.substring(start, stop));
      }
      start = end + 1;
    }
    return out;
  }

  private static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }
}
