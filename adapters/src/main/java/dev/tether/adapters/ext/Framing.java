package dev.tether.adapters.ext;

import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How a workspace extension frames JSON-RPC messages on its stdio: LSP's {@code Content-Length}
 * headers, or one message per line. On the channel every message is a whole record either way; the
 * agent frames for the process, {@code tether ext} frames for its own stdio.
 */
public enum Framing {
  /** {@code Content-Length: N\r\n\r\n} then N bytes, as LSP and DAP. */
  CONTENT_LENGTH("content-length"),
  /** One message per line ({@code \n}, a {@code \r} before it dropped); empty lines are skipped. */
  NEWLINE("newline");

  private final String wireName;

  Framing(String wireName) {
    this.wireName = wireName;
  }

  /** The name in manifests and channel metadata. */
  public String wireName() {
    return wireName;
  }

  /** The framing named {@code name}, or null when it names none. */
  public static Framing named(String name) {
    for (Framing framing : values()) {
      if (framing.wireName.equals(name)) {
        return framing;
      }
    }
    return null;
  }

  /** Reads framed messages one at a time; not thread-safe. */
  public interface Reader {
    /** The next message body, or null at a clean end of stream. */
    byte[] read() throws IOException;
  }

  /** A reader of this framing that refuses messages longer than {@code maxMessageSize} bytes. */
  public Reader reader(InputStream in, int maxMessageSize) {
    if (this == CONTENT_LENGTH) {
      BaseProtocol.Reader reader = new BaseProtocol.Reader(in, maxMessageSize);
      return reader::read;
    }
    return new LineReader(in, maxMessageSize);
  }

  /**
   * Writes one message and flushes; callers writing from several threads serialize. For newline
   * framing, a CR or LF in the body becomes a space: JSON allows them only as whitespace between
   * tokens (a string cannot hold a raw one), so the message means the same and stays one line.
   */
  public void write(OutputStream out, byte[] body) throws IOException {
    if (this == CONTENT_LENGTH) {
      BaseProtocol.write(out, body);
      return;
    }
    out.write(oneLine(body));
    out.write('\n');
    out.flush();
  }

  static byte[] oneLine(byte[] body) {
    byte[] line = null;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '\n' || body[i] == '\r') {
        if (line == null) {
          line = body.clone();
        }
        line[i] = ' ';
      }
    }
    return line == null ? body : line;
  }

  /** Lines grow as their bytes arrive, never past the limit. */
  private static final class LineReader implements Reader {
    private final InputStream in;
    private final int max;

    LineReader(InputStream in, int max) {
      this.in = new BufferedInputStream(in, 16 * 1024);
      this.max = max;
    }

    @Override
    public byte[] read() throws IOException {
      while (true) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
          if (line.size() == max) {
            throw new IOException("a line longer than " + max + " bytes");
          }
          line.write(b);
        }
        if (b < 0 && line.size() == 0) {
          return null;
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        if (length > 0) {
          return length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
        }
        if (b < 0) {
          return null;
        }
      }
    }
  }
}
