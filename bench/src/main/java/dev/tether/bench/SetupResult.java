package dev.tether.bench;

/**
 * Everything measured on one setup: the mux over a transport, or the direct baseline over the same
 * transport with no session. A figure that was not measured is null.
 */
record SetupResult(Wire wire, boolean mux, Throughput singleChannel, Throughput manyChannels, Latency idle,
    RoundTrips.Loaded loaded) {

  /** Round-trip p99 under bulk load divided by idle p99: the fairness figure (target at most 2); NaN if unmeasured. */
  double loadedOverIdleP99() {
    if (idle == null || loaded == null) {
      return Double.NaN;
    }
    return (double) loaded.latency().percentileNanos(99) / idle.percentileNanos(99);
  }

  String label() {
    return (mux ? "mux " : "direct ") + wire.label;
  }

  Latency loadedLatency() {
    return loaded == null ? null : loaded.latency();
  }

  Throughput loadedBulk() {
    return loaded == null ? null : loaded.bulk();
  }
}
