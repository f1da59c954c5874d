package dev.tether.mux.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes frames onto a byte stream; the one place that knows the header layout for writing. Frames
 * are coalesced in a buffer; {@link #flush} pushes them out: the session's writer thread flushes when
 * it has nothing more to write, an application thread that writes its own DATA frame flushes right
 * after it.
 *
 * <p>Threading: not thread-safe. One instance per attached transport, made by the session's writer
 * ({@code dev.tether.mux.SessionWriter}) and used only by whoever holds its write token (the writer
 * thread, or an application thread writing directly); the token hand-over under the session lock
 * orders their writes.
 */
public final class FrameWriter {
  private static final int BUFFER = 64 * 1024;

  private final OutputStream out;
  private final byte[] header = new byte[Frame.HEADER_SIZE];

  public FrameWriter(OutputStream out) {
    this.out = new BufferedOutputStream(out, BUFFER);
  }

  public void write(Frame frame, long ack) throws IOException {
    encodeHeader(frame, ack, header);
    out.write(header);
    out.write(frame.payload);
  }

  public void flush() throws IOException {
    out.flush();
  }

  /** The header bytes of a frame; the one place that knows the header layout for writing. */
  public static void encodeHeader(Frame frame, long ack, byte[] into) {
    into[0] = (byte) frame.type.code;
    into[1] = (byte) frame.flags;
    Bytes.putInt(into, 2, frame.channel);
    Bytes.putInt(into, 6, frame.payload.length);
    Bytes.putLong(into, 10, frame.type.sequenced ? frame.seq : 0);
    Bytes.putLong(into, 18, ack);
  }
}
