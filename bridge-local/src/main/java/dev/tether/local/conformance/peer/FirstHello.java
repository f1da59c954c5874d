package dev.tether.local.conformance.peer;

import dev.tether.local.conformance.RawFrames;
import dev.tether.local.conformance.RawFrames.Hello;
import dev.tether.mux.transport.Transport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;

/**
 * The client's hello on a fresh connection, read before the peer decides what to play: a resume hello
 * (§2.4) goes to the session it names whatever the path says, anything else to the connection's scenario.
 * The bytes read are kept, so a real session's handshake can read them again ({@link #replayed}).
 */
final class FirstHello {
  /** §2.1: a hello body is at most 64 KiB. */
  private static final int MAX_BODY = 65536;

  private final byte[] raw;
  private final Hello hello;

  private FirstHello(byte[] raw, Hello hello) {
    this.raw = raw;
    this.hello = hello;
  }

  /**
   * Reads the hello; a stream that is not one (or a body over 64 KiB) gives a FirstHello whose
   * {@link #hello} is null, holding whatever was read, for the real handshake to refuse properly.
   */
  static FirstHello read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] head = new byte[12];
    data.readFully(head);
    long length = ByteBuffer.wrap(head).getInt(8) & 0xffffffffL;
    if (!new String(head, 0, 6, java.nio.charset.StandardCharsets.US_ASCII).equals("TETHER") || length > MAX_BODY) {
      return new FirstHello(head, null);
    }
    byte[] body = new byte[(int) length];
    try {
      data.readFully(body);
    } catch (EOFException e) {
      throw new EOFException("the client's hello ended after " + head.length + " bytes of header");
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(head);
    all.writeBytes(body);
    byte[] raw = all.toByteArray();
    Hello parsed;
    try {
      parsed = RawFrames.readHello(new ByteArrayInputStream(raw));
    } catch (IOException e) {
      parsed = null;
    }
    return new FirstHello(raw, parsed);
  }

  /** Null when the bytes were no well-formed hello. */
  Hello hello() {
    return hello;
  }

  /** §2.3 step 3: a hello with a session id and a received counter asks to resume. */
  boolean isResume() {
    return hello != null && hello.fields().containsKey(5) && hello.fields().containsKey(7);
  }

  /** {@code transport}, whose input yields the hello's bytes again before the rest. */
  Transport replayed(Transport transport) {
    InputStream input = new SequenceInputStream(new ByteArrayInputStream(raw), transport.input());
    return new Transport() {
      @Override
      public InputStream input() {
        return input;
      }

      @Override
      public OutputStream output() {
        return transport.output();
      }

      @Override
      public void close() {
        transport.close();
      }

      @Override
      public String description() {
        return transport.description();
      }
    };
  }
}
