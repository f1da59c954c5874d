package dev.tether.mux.internal;

/**
 * One frame as it travels: the header fields and the payload. A sequenced frame gets its sequence
 * number when it is picked for sending ({@link ReplayBuffer#add}), so the fair scheduler decides the
 * order late; the ack is not part of the frame but passed at every write, so a retransmitted frame
 * carries a current ack.
 *
 * <p>Instances are immutable apart from {@code seq} and {@code sentNanos}, which the replay buffer
 * sets under the session lock (on the writer thread, or on an application thread writing its own
 * DATA frame) before the frame is written; a frame read from the wire carries the peer's {@code seq}
 * ({@link #received}). A DATA payload may be an array from the {@link PayloadPool}: outbound until the
 * peer acknowledged the frame, inbound until the application read it (or the session refused it).
 */
public final class Frame {
  public static final int HEADER_SIZE = 26;
  public static final byte[] EMPTY = new byte[0];

  public final FrameType type;
  public final int flags;
  public final int channel;
  public final byte[] payload;
  long seq;
  long sentNanos;

  public Frame(FrameType type, int flags, int channel, byte[] payload) {
    this.type = type;
    this.flags = flags;
    this.channel = channel;
    this.payload = payload;
  }

  public Frame(FrameType type, int channel, byte[] payload) {
    this(type, 0, channel, payload);
  }

  /** A frame as read from the wire, with its sequence number. */
  public static Frame received(FrameType type, int flags, int channel, long seq, byte[] payload) {
    Frame frame = new Frame(type, flags, channel, payload);
    frame.seq = seq;
    return frame;
  }

  public long seq() {
    return seq;
  }

  public int wireSize() {
    return HEADER_SIZE + payload.length;
  }

  @Override
  public String toString() {
    return FrameLog.describe(this, 0);
  }
}
