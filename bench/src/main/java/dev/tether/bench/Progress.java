package dev.tether.bench;

import java.util.Locale;

/** One line on stderr per finished run, so a long benchmark shows where it is; the table goes to stdout. */
final class Progress {
  private final String setup;

  Progress(String setup) {
    this.setup = setup;
  }

  Throughput report(String run, Throughput t) {
    line(run, String.format(Locale.ROOT, "%,.0f MB/s (%,d bytes in %.2f s)", t.megabytesPerSecond(), t.bytes(),
        t.seconds()));
    return t;
  }

  Latency report(String run, Latency l) {
    if (l == null) {
      return null;
    }
    line(run, String.format(Locale.ROOT, "p50 %.1f us, p99 %.1f us, max %.1f us (%d samples)", l.p50Micros(),
        l.p99Micros(), l.maxMicros(), l.count()));
    return l;
  }

  RoundTrips.Loaded report(String run, RoundTrips.Loaded loaded) {
    if (loaded == null) {
      return null;
    }
    report(run, loaded.latency());
    line(run, String.format(Locale.ROOT, "the bulk transfer alongside moved %,.0f MB/s",
        loaded.bulk().megabytesPerSecond()));
    return loaded;
  }

  private void line(String run, String figures) {
    System.err.println("bench: " + setup + ": " + run + ": " + figures);
  }
}
