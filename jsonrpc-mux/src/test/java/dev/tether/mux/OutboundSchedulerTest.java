package dev.tether.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.internal.ReplayBuffer;
import dev.tether.mux.internal.SessionProtocolException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** What the session sends next, decided with plain frames and clock readings: no threads, no transport. */
class OutboundSchedulerTest {
  private static final int FRAME = 4096;
  private static final long MIXED_WINDOW = 100_000_000L;
  private final ReplayBuffer replay = new ReplayBuffer(1 << 20);
  private final OutboundScheduler scheduler = new OutboundScheduler(replay, FRAME, MIXED_WINDOW, 4);
  private long now = 1_000;

  private static Channel channel(int id) {
    return new Channel(null, new ReentrantLock(), id, "test", ChannelFlavour.BYTES, "", 1000, 1000,
        Channel.State.OPEN);
  }

  private static Frame data(int channel, int length) {
    return new Frame(FrameType.DATA, channel, new byte[length]);
  }

  private Frame next() throws SessionProtocolException {
    return scheduler.next(now);
  }

  @Test
  void retransmissionsGoFirstThenControlThenChannelData() throws Exception {
    Channel one = channel(1);
    scheduler.queueOnChannel(one, data(1, 10));
    scheduler.queueControl(new Frame(FrameType.CREDIT, 1, Payloads.credit(5)));
    Frame lost = data(3, 7);
    scheduler.retransmit(List.of(lost));
    assertSame(lost, next());
    assertEquals(FrameType.CREDIT, next().type);
    assertEquals(FrameType.DATA, next().type);
    assertNull(next());
    assertTrue(scheduler.idle());
  }

  @Test
  void channelsTakeTurnsFrameByFrame() throws Exception {
    Channel one = channel(1);
    Channel three = channel(3);
    for (int i = 0; i < 3; i++) {
      scheduler.queueOnChannel(one, data(1, FRAME));
    }
    scheduler.queueOnChannel(three, data(3, FRAME));
    assertEquals(List.of(1, 3, 1, 1), List.of(next().channel, next().channel, next().channel, next().channel));
  }

  @Test
  void aStandaloneAckJumpsTheQueueOnceAndIsQueuedAgainOnlyAfterItWasSent() throws Exception {
    scheduler.queueControl(new Frame(FrameType.PING, 0, Payloads.ping(1)));
    assertTrue(scheduler.queueAck());
    assertFalse(scheduler.queueAck());
    Frame ack = next();
    assertEquals(FrameType.ACK, ack.type);
    scheduler.sent(ack);
    assertTrue(scheduler.queueAck());
  }

  @Test
  void theControlQueueIsBounded() {
    for (int i = 0; i < 4; i++) {
      assertTrue(scheduler.queueControl(new Frame(FrameType.PONG, 0, Payloads.ping(i))));
    }
    assertFalse(scheduler.queueControl(new Frame(FrameType.PONG, 0, Payloads.ping(5))));
    assertEquals(4, scheduler.controlQueued());
  }

  @Test
  void channelFramesAndSequencedControlFramesEnterTheReplayBuffer() throws Exception {
    scheduler.queueControl(new Frame(FrameType.PING, 0, Payloads.ping(1)));
    scheduler.queueControl(new Frame(FrameType.CREDIT, 1, Payloads.credit(1)));
    scheduler.queueOnChannel(channel(1), data(1, 100));
    assertEquals(0, next().seq());
    assertEquals(1, next().seq());
    assertEquals(2, next().seq());
    assertEquals(2, replay.size());
  }

  @Test
  void bulkIsHeldToTheBudgetWhileSmallMessagesShareTheSessionAndASmallOnePasses() throws Exception {
    Channel bulk = channel(1);
    Channel small = channel(3);
    scheduler.sentDirectly(data(3, 50), now); // a small message: the traffic is mixed from here on
    for (int i = 0; i < 6; i++) {
      scheduler.queueOnChannel(bulk, data(1, FRAME));
    }
    int sent = 0;
    while (next() != null) {
      sent++;
    }
    assertTrue(sent < 6, "bulk held to the in-flight budget, " + sent + " frames went");
    scheduler.queueOnChannel(small, data(3, 60));
    assertEquals(3, next().channel, "the small message passes the held bulk");
    assertNull(next());
    long released = replay.bytes();
    replay.acknowledge(replay.lastSeq());
    assertTrue(scheduler.ackArrived(released, now + 1_000), "the ack made room: wake the writer");
    assertEquals(1, next().channel);
  }

  @Test
  void aLateAckSuspendsTheBudget() throws Exception {
    scheduler.sentDirectly(data(3, 50), now);
    for (int i = 0; i < 8; i++) {
      scheduler.queueOnChannel(channel(1), data(1, FRAME));
    }
    while (next() != null) {
      // up to the budget
    }
    long released = replay.bytes();
    replay.acknowledge(replay.lastSeq());
    now += 50_000_000L; // 50 ms later: the peer acknowledges on its own timer
    scheduler.ackArrived(released, now);
    assertTrue(scheduler.budgetSuspended(now));
  }

  @Test
  void aSequencedControlFrameWithoutReplayRoomIsAReplayOverflow() {
    ReplayBuffer tiny = new ReplayBuffer(128 * 1024);
    OutboundScheduler full = new OutboundScheduler(tiny, FRAME, MIXED_WINDOW, 100);
    while (tiny.hasRoomFor(FRAME + Frame.HEADER_SIZE)) {
      tiny.add(data(1, FRAME), now);
    }
    full.queueControl(new Frame(FrameType.OPEN_OK, 2, new byte[FRAME]));
    SessionProtocolException overflow = assertThrows(SessionProtocolException.class, () -> full.next(now));
    assertEquals(ErrorCode.REPLAY_OVERFLOW, overflow.code);
  }

  @Test
  void aDetachDropsPingsPongsAndAcksButKeepsSequencedControlFrames() throws Exception {
    scheduler.queueControl(new Frame(FrameType.PONG, 0, Payloads.ping(1)));
    scheduler.queueControl(new Frame(FrameType.CREDIT, 1, Payloads.credit(1)));
    scheduler.queueAck();
    scheduler.detached();
    assertEquals(FrameType.CREDIT, next().type);
    assertNull(next());
  }

  @Test
  void aRemovedChannelLeavesTheRoundRobin() throws Exception {
    Channel one = channel(1);
    scheduler.queueOnChannel(one, data(1, 10));
    scheduler.remove(one);
    assertNull(next());
    assertTrue(scheduler.idle());
  }
}
