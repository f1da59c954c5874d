package dev.tether.mux.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequenced frames sent but not yet acknowledged, oldest first. After a transport breaks, the frames
 * after the peer's last acknowledged sequence number are transmitted again on the new transport.
 *
 * <p>Bounded by bytes ({@link #limit}); the writer only takes new DATA while {@link #hasRoomForData}
 * and control frames may use the reserve above that. Not thread-safe: the session's lock guards it.
 */
public final class ReplayBuffer {
  /** Room kept for control frames, so credit and resets still flow when data has filled the rest. */
  static final int CONTROL_RESERVE = 64 * 1024;

  private final ArrayDeque<Frame> frames = new ArrayDeque<>();
  private final long limit;
  private final PayloadPool pool;
  private long bytes;
  private long lastSeq;

  public ReplayBuffer(long limit) {
    this(limit, null);
  }

  /** With a pool, the payloads of acknowledged DATA frames go back to it for reuse. */
  public ReplayBuffer(long limit, PayloadPool pool) {
    this.pool = pool;
    if (limit < 2L * CONTROL_RESERVE) {
      throw new IllegalArgumentException("replay buffer limit " + limit + " is below " + 2 * CONTROL_RESERVE);
    }
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }

  public long bytes() {
    return bytes;
  }

  public int size() {
    return frames.size();
  }

  /** The sequence number of the last frame added (0 before any). */
  public long lastSeq() {
    return lastSeq;
  }

  public boolean hasRoomForData(int wireSize) {
    return bytes + wireSize <= limit - CONTROL_RESERVE;
  }

  public boolean hasRoomFor(int wireSize) {
    return bytes + wireSize <= limit;
  }

  /** Assigns the next sequence number to {@code frame} and keeps it until acknowledged. */
  public void add(Frame frame, long nowNanos) {
    frame.seq = ++lastSeq;
    frame.sentNanos = nowNanos;
    frames.addLast(frame);
    bytes += frame.wireSize();
  }

  /**
   * Drops every frame up to and including {@code ack}. Returns false when {@code ack} acknowledges a
   * sequence number never sent, which is a protocol violation by the peer.
   */
  public boolean acknowledge(long ack) {
    if (ack > lastSeq) {
      return false;
    }
    while (!frames.isEmpty() && frames.peekFirst().seq <= ack) {
      Frame done = frames.removeFirst();
      bytes -= done.wireSize();
      if (pool != null && done.type == FrameType.DATA) {
        pool.give(done.payload); // acknowledged: never written again, so the array is free
      }
    }
    return true;
  }

  /** Frames with a sequence number above {@code received}, oldest first, for retransmission. */
  public List<Frame> after(long received) {
    List<Frame> out = new ArrayList<>();
    for (Frame frame : frames) {
      if (frame.seq > received) {
        out.add(frame);
      }
    }
    return out;
  }

  /** Send time of the oldest unacknowledged frame, or -1 when everything is acknowledged. */
  public long oldestSentNanos() {
    Frame oldest = frames.peekFirst();
    return oldest == null ? -1 : oldest.sentNanos;
  }

  /** Lowest unacknowledged sequence number, or lastSeq+1 when everything is acknowledged. */
  public long firstUnacknowledged() {
    Frame oldest = frames.peekFirst();
    return oldest == null ? lastSeq + 1 : oldest.seq;
  }
}
