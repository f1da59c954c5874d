package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When an ACK is owed and when it goes out at once, on plain numbers. */
class AckPolicyTest {
  private static final int FRAME = 32 * 1024;
  private static final long MIXED_WINDOW = 100_000_000L;
  private final AckPolicy acks = new AckPolicy(1 << 20, FRAME, MIXED_WINDOW);
  private long seq;

  private Frame data(int length) {
    return Frame.received(FrameType.DATA, 0, 1, ++seq, new byte[length]);
  }

  @Test
  void aSmallFrameIsAcknowledgedLater() throws Exception {
    assertEquals(AckPolicy.Decision.ACK_LATER, acks.accept(data(100), 0));
    assertTrue(acks.owed());
    acks.sent(acks.received());
    assertFalse(acks.owed());
  }

  @Test
  void aQuarterOfThePeersReplayBufferIsAcknowledgedAtOnce() throws Exception {
    AckPolicy.Decision last = null;
    for (int i = 0; i < 8; i++) { // 8 full frames = 256 KiB + headers = a quarter of 1 MiB
      last = acks.accept(data(FRAME), i);
    }
    assertEquals(AckPolicy.Decision.ACK_NOW, last);
  }

  @Test
  void whileTrafficIsMixedEveryTwoFullFramesAreAcknowledgedAtOnce() throws Exception {
    assertEquals(AckPolicy.Decision.ACK_LATER, acks.accept(data(50), 0)); // a small message: mixed now
    assertEquals(AckPolicy.Decision.ACK_LATER, acks.accept(data(FRAME), 1));
    assertEquals(AckPolicy.Decision.ACK_NOW, acks.accept(data(FRAME), 2));
    acks.sent(acks.received());
    assertEquals(AckPolicy.Decision.ACK_LATER, acks.accept(data(FRAME), 3), "the count starts again after an ack");
  }

  @Test
  void duplicatesAreRecognisedAndAGapIsASessionError() throws Exception {
    acks.accept(data(10), 0);
    assertTrue(acks.isDuplicate(1));
    assertFalse(acks.isDuplicate(2));
    seq++; // skip one
    SessionProtocolException gap = assertThrows(SessionProtocolException.class, () -> acks.accept(data(10), 0));
    assertEquals("sequence gap: expected seq 2, got 3", gap.getMessage());
  }

  @Test
  void aResumeHelloAcknowledgesEverythingReceived() throws Exception {
    acks.accept(data(10), 0);
    acks.resumed();
    assertFalse(acks.owed());
  }
}
