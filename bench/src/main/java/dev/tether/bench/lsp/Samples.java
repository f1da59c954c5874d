package dev.tether.bench.lsp;

import java.util.Arrays;

/** Timings in nanoseconds; percentiles are nearest-rank on the sorted samples (no interpolation). */
final class Samples {
  private long[] values = new long[64];
  private int count;

  void add(long nanos) {
    if (count == values.length) {
      values = Arrays.copyOf(values, count * 2);
    }
    values[count++] = nanos;
  }

  int count() {
    return count;
  }

  /** The smallest sample that at least {@code percent}% of the samples do not exceed. */
  long percentile(double percent) {
    if (count == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * count);
    return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
  }

  long median() {
    return percentile(50);
  }

  long min() {
    return count == 0 ? 0 : Arrays.stream(values, 0, count).min().getAsLong();
  }

  long max() {
    return count == 0 ? 0 : Arrays.stream(values, 0, count).max().getAsLong();
  }
}
