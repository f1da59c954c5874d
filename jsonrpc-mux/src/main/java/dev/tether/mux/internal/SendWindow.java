package dev.tether.mux.internal;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * How much we may still send on one channel: starts at the peer's advertised window, shrinks as DATA
 * goes out, grows with each CREDIT. Writers that find it empty wait in {@link #awaitSpace}; a reset
 * or session close wakes them with the reason.
 *
 * <p>Thread-safe on its own monitor, which is never held during I/O.
 */
public final class SendWindow {
  private static final long MAX = Integer.MAX_VALUE;

  private long available;
  private IOException closed;

  public SendWindow(int initial) {
    this.available = initial;
  }

  public synchronized long available() {
    return available;
  }

  /** Takes up to {@code max} bytes of window without waiting; returns how many were taken (maybe 0). */
  public synchronized int tryConsume(int max) throws IOException {
    if (closed != null) {
      throw closed;
    }
    int taken = (int) Math.min(max, available);
    available -= taken;
    return taken;
  }

  /** Waits until some window is available, then takes up to {@code max} bytes of it. */
  public synchronized int consume(int max) throws IOException {
    awaitSpace();
    return tryConsume(max);
  }

  /** Blocks until the window is non-empty or the channel is closed (then throws the reason). */
  public synchronized void awaitSpace() throws IOException {
    while (available == 0 && closed == null) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for flow-control credit");
      }
    }
    if (closed != null) {
      throw closed;
    }
  }

  /**
   * Adds credit from the peer. Returns true when the window went from empty to non-empty (writers
   * that poll should be told), and false otherwise.
   *
   * @throws IllegalStateException when the total would exceed 2^31-1, a flow-control violation
   */
  public synchronized boolean expand(int increment) {
    if (available + increment > MAX) {
      throw new IllegalStateException("credit of " + increment + " would grow the window to "
          + (available + increment) + ", past 2^31-1");
    }
    boolean wasEmpty = available == 0;
    available += increment;
    notifyAll();
    return wasEmpty;
  }

  /** Fails current and future writers with {@code reason}. The first reason wins. */
  public synchronized void close(IOException reason) {
    if (closed == null) {
      closed = reason;
    }
    notifyAll();
  }
}
