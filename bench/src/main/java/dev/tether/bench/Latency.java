package dev.tether.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Round-trip times of one run, sorted. Percentiles are nearest-rank on the sorted array: exact for
 * the samples taken, with no histogram buckets or interpolation.
 */
final class Latency {
  private final long[] sortedNanos;

  Latency(long[] nanos, int count) {
    this.sortedNanos = Arrays.copyOf(nanos, count);
    Arrays.sort(sortedNanos);
  }

  /** All samples of several runs as one distribution. */
  static Latency pooled(List<Latency> runs) {
    long[] all = new long[runs.stream().mapToInt(Latency::count).sum()];
    int at = 0;
    for (Latency run : runs) {
      System.arraycopy(run.sortedNanos, 0, all, at, run.count());
      at += run.count();
    }
    return new Latency(all, all.length);
  }

  int count() {
    return sortedNanos.length;
  }

  /** The smallest sample that at least {@code percent}% of the samples do not exceed. */
  long percentileNanos(double percent) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100.0 * sortedNanos.length);
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))];
  }

  long maxNanos() {
    return sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1];
  }

  double p50Micros() {
    return percentileNanos(50) / 1e3;
  }

  double p99Micros() {
    return percentileNanos(99) / 1e3;
  }

  double maxMicros() {
    return maxNanos() / 1e3;
  }
}
