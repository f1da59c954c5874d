package dev.tether.mux.internal;

/**
 * How much a peer may still send us on one channel. Bytes count against the window when they arrive
 * and are given back as the application reads them; credit is returned in batches of at least half the
 * window, so a steady reader causes one CREDIT frame per half window rather than one per read.
 *
 * <p>A value class with no I/O and no locking: the session guards it with its lock.
 */
public final class ReceiveWindow {
  private final int size;
  private long available;
  private long unreturned;

  public ReceiveWindow(int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("window size must be positive: " + size);
    }
    this.size = size;
    this.available = size;
  }

  public int size() {
    return size;
  }

  /** Bytes the peer may still send before it must wait for credit. */
  public long available() {
    return available;
  }

  /**
   * Accounts for {@code n} bytes that arrived. Returns false, changing nothing, when they exceed what was
   * granted: the peer overran the window.
   */
  public boolean consume(int n) {
    if (n > available) {
      return false;
    }
    available -= n;
    return true;
  }

  /**
   * Accounts for {@code n} bytes the application read (or that were discarded). Returns the credit to
   * send now, or 0 when the batch is not yet worth a frame.
   */
  public int release(int n) {
    unreturned += n;
    if (unreturned < (size + 1) / 2) {
      return 0;
    }
    int increment = (int) unreturned;
    available += unreturned;
    unreturned = 0;
    return increment;
  }

  /** Accounts for {@code n} discarded bytes and returns all withheld credit at once. */
  public int releaseNow(int n) {
    unreturned += n;
    return releaseAll();
  }

  /** Returns all withheld credit at once (used when a reader starts discarding). */
  public int releaseAll() {
    int increment = (int) unreturned;
    available += unreturned;
    unreturned = 0;
    return increment;
  }
}
