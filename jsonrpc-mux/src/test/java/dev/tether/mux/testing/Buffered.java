package dev.tether.mux.testing;

import dev.tether.mux.Channel;
import java.time.Duration;

/** Waiting for bytes to arrive at a channel nobody reads, without assuming when frames are written. */
public final class Buffered {
  private Buffered() {}

  /**
   * Waits until {@code channel} buffers at least {@code bytes} (bounded by {@code timeout}) and returns
   * what it buffers then; the caller asserts the exact figure (say, no more than one window).
   */
  public static int awaitAtLeast(Channel channel, int bytes, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (channel.available() < bytes && System.nanoTime() < deadline) {
      Thread.sleep(5); // frames are in flight on other threads; polling a count loses nothing
    }
    return channel.available();
  }
}
