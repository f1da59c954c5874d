package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Keepalive and the dead-peer rule on plain clock readings (seconds as nanoseconds). */
class LivenessTest {
  private static final long S = 1_000_000_000L;
  private final Liveness liveness = new Liveness(1 * S, 10 * S, 20 * S, 0);

  @Test
  void pingIsDueOncePerIntervalAndStaysOutstandingUntilAPong() {
    assertFalse(liveness.pingDue(9 * S));
    assertTrue(liveness.pingDue(10 * S));
    assertFalse(liveness.pingDue(11 * S));
    liveness.pong(10 * S, 10 * S + 3_000);
    assertEquals(3_000, liveness.rttNanos());
  }

  @Test
  void aPongWithAForeignTimestampLeavesTheRttAlone() {
    liveness.pong(99 * S, 5 * S); // from the future: not a PING of ours
    assertEquals(-1, liveness.rttNanos());
  }

  @Test
  void aPeerIsDeadOnlyWhenSomethingWaitedAndNothingCameForTheTimeout() {
    assertNull(liveness.deadPeerReason(100 * S, -1), "nothing outstanding: silence is fine");
    assertNull(liveness.deadPeerReason(100 * S, 85 * S), "waited 15 s only");
    assertEquals("no answer from the peer for 100 s", liveness.deadPeerReason(100 * S, 80 * S));
    liveness.received(95 * S);
    assertNull(liveness.deadPeerReason(100 * S, 80 * S), "something came 5 s ago");
  }

  @Test
  void anOutstandingPingCountsAsWaiting() {
    assertTrue(liveness.pingDue(10 * S));
    assertNull(liveness.deadPeerReason(29 * S, -1));
    assertEquals("no answer from the peer for 30 s", liveness.deadPeerReason(30 * S, -1));
  }

  @Test
  void aLateTickMeansWeWereStalledAndGivesThePeerAFullTimeoutOfGrace() {
    assertEquals(0, liveness.tick(1 * S));
    assertEquals(59 * S, liveness.tick(60 * S)); // frozen for a minute
    assertNull(liveness.deadPeerReason(79 * S, 0), "inside the grace");
    assertEquals("no answer from the peer for 80 s", liveness.deadPeerReason(80 * S, 0));
  }

  @Test
  void aNewTransportStartsTheSilenceAndThePingAnew() {
    assertTrue(liveness.pingDue(10 * S));
    liveness.attached(50 * S);
    assertNull(liveness.deadPeerReason(60 * S, -1), "the old PING died with the old transport");
  }
}
