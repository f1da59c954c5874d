package dev.tether.adapters.terminal.remote;

/**
 * The last {@code capacity} bytes a terminal wrote: what a re-attaching client sees first. A plain
 * ring; not thread-safe (the terminal guards it with its own lock).
 */
final class Scrollback {
  private final byte[] ring;
  private long total;

  Scrollback(int capacity) {
    this.ring = new byte[capacity];
  }

  void append(byte[] b, int off, int len) {
    if (len >= ring.length) {
      off += len - ring.length;
      len = ring.length;
    }
    int start = (int) (total % ring.length);
    int first = Math.min(len, ring.length - start);
    System.arraycopy(b, off, ring, start, first);
    System.arraycopy(b, off + first, ring, 0, len - first);
    total += len;
  }

  /** The retained bytes, oldest first. */
  byte[] snapshot() {
    int size = (int) Math.min(total, ring.length);
    byte[] out = new byte[size];
    int start = (int) ((total - size) % ring.length);
    int first = Math.min(size, ring.length - start);
    System.arraycopy(ring, start, out, 0, first);
    System.arraycopy(ring, 0, out, first, size - first);
    return out;
  }

  long total() {
    return total;
  }
}
