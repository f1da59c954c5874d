package dev.tether.mux.internal;

/**
 * Keepalive and the dead-peer rule (docs/PROTOCOL.md §9) as decisions on clock readings: when to
 * PING, the round-trip time a PONG gives, when a silent peer counts as dead, and the grace this side
 * gives after being stalled itself (GC, suspend, SIGSTOP), since the peer's silence may then be ours.
 *
 * <p>A value class: no I/O, no timers, no lock of its own. The session calls it under its lock with
 * {@code now} from its scheduler, so tests drive it with plain numbers.
 */
public final class Liveness {
  private final long tickInterval;
  private final long pingInterval;
  private final long deadPeerTimeout;
  private long lastReceived;
  private long lastTick;
  private long lastPing;
  private long pingOutstandingSince = -1;
  private long graceUntil;
  private long rtt = -1;

  public Liveness(long tickIntervalNanos, long pingIntervalNanos, long deadPeerTimeoutNanos, long now) {
    this.tickInterval = tickIntervalNanos;
    this.pingInterval = pingIntervalNanos;
    this.deadPeerTimeout = deadPeerTimeoutNanos;
    this.lastReceived = now;
    this.lastTick = now;
    this.lastPing = now;
    this.graceUntil = now;
  }

  /** A new transport: nothing is outstanding on it and silence is counted from now. */
  public void attached(long now) {
    lastReceived = now;
    pingOutstandingSince = -1;
    graceUntil = now;
  }

  /** Any frame arrived. */
  public void received(long now) {
    lastReceived = now;
  }

  /**
   * A tick ran. Returns how long this process was stalled (in nanoseconds) when the tick came more
   * than three intervals late, and gives the peer a full dead-peer timeout of grace; 0 otherwise.
   */
  public long tick(long now) {
    long since = now - lastTick;
    lastTick = now;
    if (since > 3 * tickInterval) {
      graceUntil = now + deadPeerTimeout;
      return since;
    }
    return 0;
  }

  /** Whether a PING is due now; if so, it counts as sent (and outstanding until a PONG). */
  public boolean pingDue(long now) {
    if (now - lastPing < pingInterval) {
      return false;
    }
    lastPing = now;
    if (pingOutstandingSince < 0) {
      pingOutstandingSince = now;
    }
    return true;
  }

  /** A PONG echoed {@code sentNanos}, the clock reading its PING carried. */
  public void pong(long sentNanos, long now) {
    if (sentNanos > 0 && sentNanos <= now) {
      rtt = now - sentNanos;
    }
    pingOutstandingSince = -1;
  }

  /** The latest keepalive round-trip time in nanoseconds, or -1 before the first PONG. */
  public long rttNanos() {
    return rtt;
  }

  /**
   * The peer is dead when something has waited for an answer (a PING, or the oldest unacknowledged
   * frame sent at {@code oldestUnackedSent}, -1 for none) for the timeout and nothing at all came for
   * as long. Returns the reason, or null while the peer counts as alive.
   */
  public String deadPeerReason(long now, long oldestUnackedSent) {
    long waitingSince = oldest(oldestUnackedSent, pingOutstandingSince);
    if (waitingSince < 0 || now < graceUntil) {
      return null;
    }
    if (now - waitingSince >= deadPeerTimeout && now - lastReceived >= deadPeerTimeout) {
      return "no answer from the peer for " + (now - lastReceived) / 1_000_000_000 + " s";
    }
    return null;
  }

  private static long oldest(long a, long b) {
    if (a < 0) {
      return b;
    }
    return b < 0 ? a : Math.min(a, b);
  }
}
