package dev.tether.mux.internal;

/**
 * Reuses full-size DATA payload arrays instead of allocating (and zeroing) a fresh one per frame,
 * which was about a quarter of the CPU of a bulk transfer. Only arrays of exactly {@link #size} bytes
 * are pooled and handed out, and only for payloads of exactly that length, so every byte of a reused
 * array is overwritten before anyone reads it: nothing of an earlier frame can show through.
 *
 * <p>An array may be given back only by its last holder (the reader that consumed it, the replay
 * buffer once the peer acknowledged it). The pool is bounded; beyond that, arrays go to the garbage
 * collector. Thread-safe.
 */
public final class PayloadPool {
  private final int size;
  private final byte[][] free;
  private int count;
  private long reused;

  public PayloadPool(int size, int capacity) {
    this.size = size;
    this.free = new byte[capacity][];
  }

  public int size() {
    return size;
  }

  /** An array of exactly {@code length} bytes with undefined contents: the caller fills all of it. */
  public byte[] take(int length) {
    if (length != size) {
      return length == 0 ? Frame.EMPTY : new byte[length];
    }
    synchronized (this) {
      if (count > 0) {
        byte[] reused = free[--count];
        free[count] = null;
        this.reused++;
        return reused;
      }
    }
    return new byte[size];
  }

  /** Takes back an array nobody references any more; other lengths and a full pool are ignored. */
  public void give(byte[] array) {
    if (array.length != size) {
      return;
    }
    synchronized (this) {
      if (count < free.length) {
        free[count++] = array;
      }
    }
  }

  /** How many times an array was handed out again (for tests and diagnostics). */
  public synchronized long reusedCount() {
    return reused;
  }

  /** Arrays waiting to be reused (for tests). */
  public synchronized int pooled() {
    return count;
  }
}
