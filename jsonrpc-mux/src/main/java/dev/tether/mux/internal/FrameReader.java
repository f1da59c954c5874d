package dev.tether.mux.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Parses frames from a byte stream and hands each to a {@link Handler}. It only parses: it checks what
 * the frame header alone can prove wrong (a session-level violation, since framing can no longer be
 * trusted) and leaves every decision about channels to the handler.
 *
 * <p>Threading: one reader thread per transport calls {@link #nextFrame}.
 */
public final class FrameReader {
  /** Receives each parsed frame; {@code ack} is the peer's cumulative acknowledgement. */
  public interface Handler {
    void frame(Frame frame, long ack) throws IOException;
  }

  /** A payload not read into a pooled array starts in a buffer this large (see readPayload). */
  private static final int FIRST_BUFFER = 8 * 1024;

  private final InputStream in;
  private final int maxFrameSize;
  private final byte[] header = new byte[Frame.HEADER_SIZE];
  private final PayloadPool pool;

  public FrameReader(InputStream in, int maxFrameSize) {
    this(in, maxFrameSize, null);
  }

  /**
   * With a pool, DATA payloads of the pool's size are read into reused arrays; whoever consumes such
   * a payload gives the array back (see {@link PayloadPool}).
   */
  public FrameReader(InputStream in, int maxFrameSize, PayloadPool pool) {
    this.in = in;
    this.maxFrameSize = maxFrameSize;
    this.pool = pool;
  }

  /**
   * Reads one frame and calls the handler. Returns false on a clean end of stream between frames.
   *
   * @throws SessionProtocolException when the header is invalid
   * @throws IOException when the stream fails or ends inside a frame
   */
  public boolean nextFrame(Handler handler) throws IOException {
    if (!readFully(header, header.length, true)) {
      return false;
    }
    int typeCode = header[0] & 0xFF;
    int flags = header[1] & 0xFF;
    int channel = Bytes.getInt(header, 2);
    long length = Bytes.getInt(header, 6) & 0xFFFFFFFFL;
    long seq = Bytes.getLong(header, 10);
    long ack = Bytes.getLong(header, 18);
    FrameType type = FrameType.fromCode(typeCode);
    validate(type, typeCode, channel, length, seq);
    byte[] payload;
    if (length == 0) {
      payload = Frame.EMPTY;
    } else if (pool != null && type == FrameType.DATA && length == pool.size()) {
      payload = pool.take((int) length); // a reused array of the negotiated frame size
      readFully(payload, payload.length, false);
    } else {
      payload = readPayload((int) length);
    }
    handler.frame(Frame.received(type, flags, channel, seq, payload), ack);
    return true;
  }

  /**
   * Reads a payload into a buffer that starts at {@value #FIRST_BUFFER} bytes and doubles as its bytes
   * arrive: a header declaring up to the maximum frame size and then sending nothing makes this side
   * allocate nothing like it. (Not {@code readNBytes}: it ends with a zero-length read, which some
   * transports' streams do not answer at once.)
   */
  private byte[] readPayload(int length) throws IOException {
    byte[] payload = new byte[Math.min(length, FIRST_BUFFER)];
    int done = 0;
    while (done < length) {
      if (done == payload.length) {
        payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
      }
      int n = in.read(payload, done, payload.length - done);
      if (n < 0) {
        throw new EOFException("stream ended inside a frame (" + done + " of " + length + " bytes)");
      }
      done += n;
    }
    return payload;
  }

  private void validate(FrameType type, int typeCode, int channel, long length, long seq)
      throws SessionProtocolException {
    if (type == null) {
      throw SessionProtocolException.protocol("unknown frame type 0x" + Integer.toHexString(typeCode));
    }
    if (length > maxFrameSize) {
      throw new SessionProtocolException(dev.tether.mux.ErrorCode.FRAME_TOO_LARGE,
          type + " frame of " + length + " bytes exceeds the maximum frame size " + maxFrameSize);
    }
    if (type.sessionScoped() != (channel == 0)) {
      throw SessionProtocolException.protocol(type + " frame on channel " + channel
          + (channel == 0 ? " (needs a channel id)" : " (belongs on channel 0)"));
    }
    if (type.sequenced != (seq != 0)) {
      throw SessionProtocolException.protocol(type + " frame with seq=" + seq
          + (type.sequenced ? " (sequenced frames start at 1)" : " (must be 0)"));
    }
  }

  private boolean readFully(byte[] buffer, int length, boolean eofAllowedAtStart) throws IOException {
    int done = 0;
    while (done < length) {
      int n = in.read(buffer, done, length - done);
      if (n < 0) {
        if (done == 0 && eofAllowedAtStart) {
          return false;
        }
        throw new EOFException("stream ended inside a frame (" + done + " of " + length + " bytes)");
      }
      done += n;
    }
    return true;
  }
}
