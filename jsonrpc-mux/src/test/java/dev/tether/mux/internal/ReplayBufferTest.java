package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {
  private static Frame data(int size) {
    return new Frame(FrameType.DATA, 1, new byte[size]);
  }

  @Test
  void framesGetConsecutiveSequenceNumbers() {
    ReplayBuffer replay = new ReplayBuffer(1 << 20);
    Frame a = data(10);
    Frame b = data(10);
    replay.add(a, 5);
    replay.add(b, 6);
    assertEquals(1, a.seq());
    assertEquals(2, b.seq());
    assertEquals(2, replay.lastSeq());
    assertEquals(2 * (Frame.HEADER_SIZE + 10), replay.bytes());
  }

  @Test
  void acknowledgingDropsFramesAndFreesBytes() {
    ReplayBuffer replay = new ReplayBuffer(1 << 20);
    for (int i = 0; i < 5; i++) {
      replay.add(data(100), i);
    }
    assertTrue(replay.acknowledge(3));
    assertEquals(2, replay.size());
    assertEquals(4, replay.firstUnacknowledged());
    assertEquals(3, replay.oldestSentNanos());
  }

  @Test
  void acknowledgingTheFutureIsAViolation() {
    ReplayBuffer replay = new ReplayBuffer(1 << 20);
    replay.add(data(1), 0);
    assertFalse(replay.acknowledge(2));
    assertEquals(1, replay.size());
  }

  @Test
  void afterListsWhatThePeerMissedInOrder() {
    ReplayBuffer replay = new ReplayBuffer(1 << 20);
    for (int i = 0; i < 4; i++) {
      replay.add(data(1), 0);
    }
    List<Frame> missed = replay.after(2);
    assertEquals(List.of(3L, 4L), missed.stream().map(Frame::seq).toList());
  }

  @Test
  void dataLeavesRoomForControlFrames() {
    ReplayBuffer replay = new ReplayBuffer(256 * 1024);
    int frame = 64 * 1024 - Frame.HEADER_SIZE;
    replay.add(data(frame), 0);
    replay.add(data(frame), 0);
    replay.add(data(frame), 0);
    assertFalse(replay.hasRoomForData(Frame.HEADER_SIZE + frame));
    assertTrue(replay.hasRoomFor(Frame.HEADER_SIZE + frame));
  }

  @Test
  void emptyBufferReportsNothingOutstanding() {
    ReplayBuffer replay = new ReplayBuffer(1 << 20);
    assertEquals(-1, replay.oldestSentNanos());
    assertEquals(1, replay.firstUnacknowledged());
  }
}
