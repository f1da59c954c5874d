package dev.tether.mux.internal;

/**
 * The receiving half of reliability (docs/PROTOCOL.md §8.2–8.3): which sequence number comes next,
 * and when this side owes the peer an acknowledgement. An ACK goes out at once when the peer's replay
 * buffer is a quarter full or, while bulk and small messages share the direction, every two full
 * frames (the peer holds its bulk to a few frames in flight then); otherwise after the ack delay.
 * Every frame this side sends carries the ack too, which settles what is owed.
 *
 * <p>A value class: no I/O, no timers, no lock of its own; the session calls it under its lock.
 */
public final class AckPolicy {
  /** What to do about acknowledging after a frame arrived. */
  public enum Decision { ACK_NOW, ACK_LATER }

  /** While traffic is mixed, the peer gets an ack every this many full frames. */
  static final int MIXED_ACK_FRAMES = 2;

  private final long peerReplayLimit;
  private final long mixedAckBytes;
  private final TrafficMix mix;
  private long received;
  private long ackSent;
  private long unackedBytes;

  public AckPolicy(long peerReplayLimit, int frameSize, long mixedWindowNanos) {
    this.peerReplayLimit = peerReplayLimit;
    this.mixedAckBytes = (long) MIXED_ACK_FRAMES * (frameSize + Frame.HEADER_SIZE);
    this.mix = new TrafficMix(frameSize, mixedWindowNanos);
  }

  /** The highest sequence number received in order. */
  public long received() {
    return received;
  }

  /** A sequenced frame at or below what was received: a retransmission to drop. */
  public boolean isDuplicate(long seq) {
    return seq <= received;
  }

  /**
   * Takes the next sequenced frame, which must be {@code received() + 1}.
   *
   * @throws SessionProtocolException on a gap, which means frames were lost
   */
  public Decision accept(Frame frame, long now) throws SessionProtocolException {
    if (frame.seq() != received + 1) {
      throw SessionProtocolException.protocol("sequence gap: expected seq " + (received + 1) + ", got " + frame.seq());
    }
    received = frame.seq();
    unackedBytes += frame.wireSize();
    if (frame.type == FrameType.DATA) {
      mix.data(frame.channel, frame.payload.length, now);
    }
    if (unackedBytes >= peerReplayLimit / 4) {
      return Decision.ACK_NOW; // the peer's replay buffer is filling
    }
    if (unackedBytes >= mixedAckBytes && mix.mixed(now)) {
      return Decision.ACK_NOW; // the peer holds its bulk to a few frames in flight while small messages pass
    }
    return Decision.ACK_LATER;
  }

  /** A frame carrying {@code ack} went out: what it acknowledges is no longer owed. */
  public void sent(long ack) {
    ackSent = ack;
    unackedBytes = 0;
  }

  /** Whether frames were received that no sent frame has acknowledged yet. */
  public boolean owed() {
    return received > ackSent;
  }

  /** A resume hello carries {@link #received()}: it acknowledges everything up to there. */
  public void resumed() {
    ackSent = received;
  }
}
