package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PayloadPoolTest {
  @Test
  void onlyFullSizeArraysAreReusedAndOnlyForFullSizePayloads() {
    PayloadPool pool = new PayloadPool(8, 2);
    byte[] full = pool.take(8);
    assertEquals(8, full.length);
    pool.give(full);
    assertSame(full, pool.take(8), "a given-back full-size array is handed out again");
    pool.give(full);
    byte[] shorter = pool.take(5);
    assertEquals(5, shorter.length, "a shorter payload never gets a reused array with stale bytes at its end");
    assertEquals(1, pool.pooled());
    pool.give(shorter);
    assertEquals(1, pool.pooled(), "other lengths are not pooled");
    assertSame(Frame.EMPTY, pool.take(0));
  }

  @Test
  void thePoolIsBounded() {
    PayloadPool pool = new PayloadPool(4, 2);
    pool.give(new byte[4]);
    pool.give(new byte[4]);
    pool.give(new byte[4]);
    assertEquals(2, pool.pooled());
    pool.take(4);
    pool.take(4);
    assertNotSame(null, pool.take(4), "an empty pool allocates");
    assertEquals(0, pool.pooled());
  }

  @Test
  void acknowledgedDataGoesBackToThePoolButControlFramesDoNot() {
    PayloadPool pool = new PayloadPool(4, 8);
    ReplayBuffer replay = new ReplayBuffer(1 << 20, pool);
    replay.add(new Frame(FrameType.DATA, 1, new byte[4]), 0);
    replay.add(new Frame(FrameType.OPEN, 3, new byte[4]), 0);
    replay.add(new Frame(FrameType.DATA, 1, new byte[4]), 0);
    replay.acknowledge(2);
    assertEquals(1, pool.pooled(), "only the acknowledged DATA frame's payload");
    replay.acknowledge(3);
    assertEquals(2, pool.pooled());
  }
}
