package dev.tether.mux.testing;

/**
 * A deterministic byte stream per seed, so a receiver can check every byte arrived once and in order
 * without the sender keeping a copy.
 */
public final class StreamPattern {
  private long state;
  private long position;

  public StreamPattern(long seed) {
    this.state = seed * 0x9E3779B97F4A7C15L + 1;
  }

  public byte next() {
    state ^= state << 13;
    state ^= state >>> 7;
    state ^= state << 17;
    position++;
    return (byte) state;
  }

  public void fill(byte[] b, int off, int len) {
    for (int i = 0; i < len; i++) {
      b[off + i] = next();
    }
  }

  /** Checks received bytes against the pattern; throws naming the first wrong offset. */
  public void verify(byte[] b, int off, int len, String what) {
    for (int i = 0; i < len; i++) {
      long at = position;
      byte expected = next();
      if (b[off + i] != expected) {
        throw new AssertionError(what + ": wrong byte at offset " + at + " (lost, duplicated or reordered data)");
      }
    }
  }

  public long position() {
    return position;
  }
}
