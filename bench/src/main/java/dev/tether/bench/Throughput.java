package dev.tether.bench;

/** Bytes moved in a measured time. Rates are decimal: 1 MB/s = 10^6 bytes per second. */
record Throughput(long bytes, long nanos) {
  double megabytesPerSecond() {
    return nanos == 0 ? 0 : bytes * 1e3 / nanos;
  }

  double gigabytesPerSecond() {
    return megabytesPerSecond() / 1e3;
  }

  double seconds() {
    return nanos / 1e9;
  }
}
