package dev.tether.mux.jsonrpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/** Writing and blocking reading of LSP base-protocol framed messages. */
public final class BaseProtocol {
  private BaseProtocol() {}

  /** The header for a body of {@code length} bytes: Content-Length counts UTF-8 bytes, not chars. */
  public static byte[] header(int length) {
    return ("Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Writes one framed message and flushes. Callers writing from several threads must serialize. */
  public static void write(OutputStream out, byte[] body) throws IOException {
    out.write(header(body.length));
    out.write(body);
    out.flush();
  }

  /** Reads framed messages one at a time from a blocking stream. Not thread-safe. */
  public static final class Reader {
    private final InputStream in;
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private final BaseProtocolDecoder decoder;
    private final byte[] buffer = new byte[16 * 1024];

    public Reader(InputStream in, int maxMessageSize) {
      this.in = in;
      this.decoder = new BaseProtocolDecoder(maxMessageSize, ready::addLast);
    }

    /** The next message body, or null at a clean end of stream between messages. */
    public byte[] read() throws IOException {
      while (ready.isEmpty()) {
        int n = in.read(buffer);
        if (n < 0) {
          if (!decoder.atMessageBoundary()) {
            throw new BaseProtocolException("stream ended inside an LSP message", false);
          }
          return null;
        }
        decoder.feed(buffer, 0, n);
      }
      return ready.pollFirst();
    }
  }
}
