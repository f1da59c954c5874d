package dev.tether.mux;

import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.ReplayBuffer;
import dev.tether.mux.internal.SessionProtocolException;
import dev.tether.mux.internal.TrafficMix;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * What the session sends next (docs/PROTOCOL.md §7): retransmissions first, then control frames, then
 * one DATA or HALF_CLOSE frame from the next ready channel in round-robin order, so no channel waits
 * behind another's bulk for more than one frame. While bulk and small messages share the direction,
 * bulk in flight is held to a small budget so a small message queues behind little of it; a peer that
 * acknowledges late suspends the budget for a while. Every channel frame and sequenced control frame
 * it hands out enters the replay buffer.
 *
 * <p>Threading: none of its own. The session calls every method under its lock; nothing here blocks,
 * does I/O or logs, so tests drive it with plain frames and clock readings.
 */
final class OutboundScheduler {
  /**
   * While bulk and small messages share a direction: bulk DATA in flight (sent, not acknowledged) is
   * held to this many frames (the receiver acknowledges every two, see AckPolicy), so a small message
   * queues in the transport behind about this much bulk, not behind its buffers.
   */
  private static final int MIXED_IN_FLIGHT_FRAMES = 4;
  /**
   * A peer that acknowledges only on its own schedule (PROTOCOL.md §8.3 asks for no more than the 20 ms
   * timer) would cap held-back bulk at 4 frames per ack delay. When bulk held for the budget waited
   * longer than this for the ack that released it, the budget is suspended for a while.
   */
  private static final long LATE_ACK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long BUDGET_SUSPENSION_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final ReplayBuffer replay;
  private final TrafficMix mix;
  private final long budgetBytes;
  private final int maxControl;
  private final ArrayDeque<Frame> control = new ArrayDeque<>();
  private final ArrayDeque<Channel> ready = new ArrayDeque<>();
  private final ArrayDeque<Frame> retransmit = new ArrayDeque<>();
  private boolean ackQueued;
  /** A channel's onWritable callback, owed since its unsent queue drained below its bound. */
  private Runnable writable;
  /** The writer found channel output held back for replay room or budget; an ack that frees room wakes it. */
  private boolean awaitingAck;
  private long budgetWaitSince = -1; // when bulk was first held for the budget, -1 when not held
  private boolean budgetSuspended;
  private long budgetSuspendedUntil;

  OutboundScheduler(ReplayBuffer replay, int frameSize, long mixedWindowNanos, int maxControl) {
    this.replay = replay;
    this.mix = new TrafficMix(frameSize, mixedWindowNanos);
    this.budgetBytes = (long) MIXED_IN_FLIGHT_FRAMES * (frameSize + Frame.HEADER_SIZE);
    this.maxControl = maxControl;
  }

  // ---- queueing ------------------------------------------------------------------------------

  /** Queues a control frame; false when the bounded control queue is full (the session then closes). */
  boolean queueControl(Frame frame) {
    if (control.size() >= maxControl) {
      return false;
    }
    control.addLast(frame);
    return true;
  }

  int controlQueued() {
    return control.size();
  }

  /** Queues a standalone ACK ahead of everything else, once; false when one is already queued. */
  boolean queueAck() {
    if (ackQueued) {
      return false;
    }
    ackQueued = true;
    control.addFirst(new Frame(FrameType.ACK, 0, Frame.EMPTY));
    return true;
  }

  /**
   * The onWritable callback of the channel whose unsent queue the last {@link #next} brought below its
   * bound, or null; the session runs it outside its lock.
   */
  Runnable takeWritableCallback() {
    Runnable callback = writable;
    writable = null;
    return callback;
  }

  /** Queues a DATA or HALF_CLOSE frame behind the channel's others; the channel joins the round robin. */
  void queueOnChannel(Channel channel, Frame frame) {
    channel.outbound.addLast(frame);
    if (!channel.queuedForWrite) {
      channel.queuedForWrite = true;
      ready.addLast(channel);
    }
  }

  /** The channel ended: its queued frames are no longer sent. */
  void remove(Channel channel) {
    ready.remove(channel);
    channel.queuedForWrite = false;
  }

  /** Frames the peer missed, to be sent again first after a resume. */
  void retransmit(Collection<Frame> frames) {
    retransmit.clear();
    retransmit.addAll(frames);
  }

  int retransmitting() {
    return retransmit.size();
  }

  /** The transport broke: PINGs, PONGs and ACKs die with it; sequenced frames wait for a resume. */
  void detached() {
    ackQueued = false;
    control.removeIf(frame -> !frame.type.sequenced);
  }

  void clear() {
    ready.clear();
    control.clear();
    retransmit.clear();
  }

  /** Nothing waits to be sent. */
  boolean idle() {
    return retransmit.isEmpty() && control.isEmpty() && ready.isEmpty();
  }

  // ---- picking -------------------------------------------------------------------------------

  /**
   * The next frame to send, or null when nothing may go now (nothing queued, or channel output held
   * for replay room or the budget; then {@link #ackArrived} tells when to ask again).
   *
   * @throws SessionProtocolException REPLAY_OVERFLOW when a sequenced control frame finds no replay room
   */
  Frame next(long now) throws SessionProtocolException {
    Frame again = retransmit.pollFirst();
    if (again != null) {
      return again;
    }
    Frame head = control.peekFirst();
    if (head != null) {
      return nextControl(head, now);
    }
    Channel channel = ready.peekFirst();
    if (channel == null) {
      return null;
    }
    Frame next = channel.outbound.peekFirst();
    if (!replay.hasRoomForData(next.wireSize())) {
      awaitingAck = true;
      return null;
    }
    if (!fits(next, now)) {
      if (budgetWaitSince < 0) {
        budgetWaitSince = now;
      }
      channel = firstSmallReady(); // a small message passes bulk held back by the budget
      if (channel == null) {
        awaitingAck = true;
        return null;
      }
    } else {
      budgetWaitSince = -1; // bulk is not held (any more)
    }
    return takeFrom(channel, now);
  }

  private Frame nextControl(Frame head, long now) throws SessionProtocolException {
    if (head.type.sequenced && !replay.hasRoomFor(head.wireSize())) {
      throw new SessionProtocolException(ErrorCode.REPLAY_OVERFLOW, "replay buffer overflow: " + replay.bytes()
          + " bytes unacknowledged (limit " + replay.limit() + "); the peer stopped acknowledging");
    }
    control.removeFirst();
    if (head.type.sequenced) {
      replay.add(head, now);
    }
    return head;
  }

  private Frame takeFrom(Channel channel, long now) {
    ready.remove(channel);
    Frame frame = channel.outbound.removeFirst();
    if (channel.outbound.isEmpty()) {
      channel.queuedForWrite = false;
    } else {
      ready.addLast(channel);
    }
    if (frame.type == FrameType.DATA) {
      mix.data(frame.channel, frame.payload.length, now);
      Runnable drained = channel.dequeuedLocked(frame.payload.length);
      if (drained != null) {
        writable = drained;
      }
    }
    replay.add(frame, now);
    return frame;
  }

  /**
   * Whether an application thread may write this DATA frame itself right now: nothing else is queued
   * and the frame fits the replay room and the budget.
   */
  boolean maySendDirectly(Frame frame, long now) {
    return idle() && fits(frame, now);
  }

  /** A DATA frame an application thread writes itself (see Session#enqueueData) enters the books here. */
  void sentDirectly(Frame frame, long now) {
    mix.data(frame.channel, frame.payload.length, now);
    replay.add(frame, now);
  }

  /** A frame went out: a standalone ACK is no longer queued. */
  void sent(Frame frame) {
    if (frame.type == FrameType.ACK) {
      ackQueued = false;
    }
  }

  /**
   * Whether a channel frame may go out now: there is replay room for it, and while bulk and small
   * messages share the session, a bulk frame also waits until the bulk in flight is below the budget.
   */
  private boolean fits(Frame frame, long now) {
    if (!replay.hasRoomForData(frame.wireSize())) {
      return false;
    }
    if (mix.isSmall(frame.payload.length) || !mix.mixed(now) || budgetSuspended && now - budgetSuspendedUntil < 0) {
      return true;
    }
    return replay.bytes() + frame.wireSize() <= budgetBytes;
  }

  private Channel firstSmallReady() {
    for (Channel candidate : ready) {
      if (mix.isSmall(candidate.outbound.peekFirst().payload.length)) {
        return candidate;
      }
    }
    return null;
  }

  // ---- acknowledgements ----------------------------------------------------------------------

  /**
   * An acknowledgement arrived that released {@code released} bytes from the replay buffer. Returns
   * whether the writer, waiting for room, should look again: only when it waits and the frame it
   * waits to send now fits. A late ack that released bulk held for the budget suspends the budget.
   */
  boolean ackArrived(long released, long now) {
    if (budgetWaitSince >= 0 && released > 0) {
      if (now - budgetWaitSince > LATE_ACK_NANOS) {
        budgetSuspended = true;
        budgetSuspendedUntil = now + BUDGET_SUSPENSION_NANOS;
      }
      budgetWaitSince = -1;
    }
    if (!awaitingAck) {
      return false;
    }
    Channel head = ready.peekFirst();
    if (head == null || fits(head.outbound.peekFirst(), now)) {
      awaitingAck = false;
      return true;
    }
    return false;
  }

  /** Whether the in-flight budget is suspended now because the peer acknowledged late. */
  boolean budgetSuspended(long now) {
    return budgetSuspended && now - budgetSuspendedUntil < 0;
  }
}
