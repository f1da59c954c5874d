package dev.tether.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The results as Markdown: where they were measured, one table of figures (for each transport the
 * mux, the direct baseline and their ratio), then the targets, met or not.
 */
final class Report {
  static final double TARGET_SINGLE_CHANNEL_GBPS = 1.0;
  static final double TARGET_LOADED_OVER_IDLE_P99 = 2.0;

  private final List<SetupResult> results;
  private final BenchOptions options;
  private final StringBuilder out = new StringBuilder();
  /** Table columns: a setup, or a ratio of a mux setup to its direct baseline. */
  private final List<Column> columns = new ArrayList<>();

  private record Column(SetupResult setup, SetupResult mux, SetupResult direct) {
    String header() {
      return setup != null ? setup.label() : "mux ÷ direct (" + mux.wire().label + ")";
    }
  }

  private Report(List<SetupResult> results, BenchOptions options) {
    this.results = results;
    this.options = options;
    for (Wire wire : options.wires()) {
      SetupResult mux = find(wire, true);
      SetupResult direct = find(wire, false);
      if (mux != null) {
        columns.add(new Column(mux, null, null));
      }
      if (direct != null) {
        columns.add(new Column(direct, null, null));
      }
      if (mux != null && direct != null) {
        columns.add(new Column(null, mux, direct));
      }
    }
  }

  static String render(List<SetupResult> results, BenchOptions options, String loadAtStart) {
    Report report = new Report(results, options);
    report.machine(loadAtStart);
    report.figures();
    report.targets();
    return report.out.toString();
  }

  /** The 1, 5 and 15 minute load averages, to show what else the machine was doing. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static boolean busy(String loadAverage) {
    try {
      return Double.parseDouble(loadAverage.split(" ")[0]) > Runtime.getRuntime().availableProcessors();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void machine(String loadAtStart) {
    line("Measured " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " on "
        + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", "
        + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; JVM flags: "
        + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "; load average "
        + loadAtStart + " before, " + loadAverage() + " after.");
    line("");
    if (busy(loadAtStart)) {
      line("**The machine was busy**: the 1-minute load average before the run was above the core count, so "
          + "other processes shared the CPUs; tails (p99, max) and their ratios are not trustworthy. Rerun on a "
          + "quiet machine before reading the targets. (The load after includes this benchmark's own threads.)");
      line("");
    }
  }

  private void figures() {
    List<String> header = new ArrayList<>(List.of("figure"));
    columns.forEach(c -> header.add(c.header()));
    row(header);
    row(header.stream().map(h -> "---").toList());
    throughputRow("bulk, 1 channel (direct: 1 connection)", SetupResult::singleChannel);
    throughputRow("bulk, " + options.channels() + " channels at once, aggregate (direct: " + options.channels()
        + " connections)", SetupResult::manyChannels);
    latencyRow("round trip idle, p50 (µs)", SetupResult::idle, Latency::p50Micros);
    latencyRow("round trip idle, p99 (µs)", SetupResult::idle, Latency::p99Micros);
    latencyRow("round trip idle, max (µs)", SetupResult::idle, Latency::maxMicros);
    latencyRow("round trip under bulk, p50 (µs)", SetupResult::loadedLatency, Latency::p50Micros);
    latencyRow("round trip under bulk, p99 (µs)", SetupResult::loadedLatency, Latency::p99Micros);
    latencyRow("round trip under bulk, max (µs)", SetupResult::loadedLatency, Latency::maxMicros);
    if (results.stream().anyMatch(r -> !Double.isNaN(r.loadedOverIdleP99()))) {
      cellRow("**under-bulk p99 ÷ idle p99**", r -> Double.isNaN(r.loadedOverIdleP99()) ? "—"
          : "**" + ratio(r.loadedOverIdleP99()) + "**");
    }
    throughputRow("bulk rate while sampling under bulk", SetupResult::loadedBulk);
    if (results.stream().anyMatch(r -> r.idle() != null || r.loaded() != null)) {
      cellRow("round-trip samples idle / under bulk", r -> count(r.idle()) + " / " + count(r.loadedLatency()));
    }
    line("");
    line(String.format(Locale.ROOT, "Bulk: %s per run in memory, %s over TCP, written 64 KiB at a time and timed "
        + "until the receiving reader has the last byte; 1 MB = 10^6 bytes. Round trip: a %d-byte message echoed "
        + "by the peer, after %d warm-up round trips, up to %d samples or %d s, in %d rounds each on a fresh "
        + "connection (and session), idle and under-bulk rounds alternating, samples pooled. Under bulk: the "
        + "mux's bulk "
        + "transfer runs on another channel of the same session%s; the direct baseline's on a second connection, "
        + "so its row shows only the cost of sharing the CPUs. Mux settings: %s. Transports: %s.",
        size(options.memoryBulkBytes()), size(options.tcpBulkBytes()), options.messageSize(),
        options.warmupSamples(), options.samples(), options.latencyTimeLimit().toSeconds(), options.rounds(),
        options.loadRate() > 0 ? ", paced to " + size(options.loadRate()) + "/s" : " at full speed", muxSettings(),
        transportSettings()));
    line("");
  }

  private void targets() {
    line("| target | measured | result |");
    line("|---|---|---|");
    SetupResult memory = find(Wire.IN_MEMORY, true);
    if (memory != null && memory.singleChannel() != null) {
      double gbps = memory.singleChannel().gigabytesPerSecond();
      target("single-channel bulk, mux in-memory ≥ " + TARGET_SINGLE_CHANNEL_GBPS + " GB/s",
          String.format(Locale.ROOT, "%.2f GB/s", gbps), gbps >= TARGET_SINGLE_CHANNEL_GBPS);
    }
    for (SetupResult r : results) {
      double ratio = r.loadedOverIdleP99();
      if (!r.mux() || Double.isNaN(ratio)) {
        continue; // the direct baselines are context, not held to the mux's targets
      }
      target("small-request p99 under bulk ≤ " + TARGET_LOADED_OVER_IDLE_P99 + "× idle p99, " + r.label(),
          String.format(Locale.ROOT, "%.1f× (%.0f µs vs %.0f µs)", ratio, r.loadedLatency().p99Micros(),
              r.idle().p99Micros()), ratio <= TARGET_LOADED_OVER_IDLE_P99);
    }
  }

  private void target(String what, String measured, boolean met) {
    row(List.of(what, measured, met ? "met" : "**not met**"));
  }

  private void throughputRow(String name, Function<SetupResult, Throughput> figure) {
    if (results.stream().allMatch(r -> figure.apply(r) == null)) {
      return; // not measured in this run
    }
    List<String> cells = new ArrayList<>(List.of(name));
    for (Column c : columns) {
      if (c.setup() != null) {
        Throughput t = figure.apply(c.setup());
        cells.add(t == null ? "—" : String.format(Locale.ROOT, "%,.0f MB/s (%.2f GB/s)", t.megabytesPerSecond(),
            t.gigabytesPerSecond()));
      } else {
        Throughput mux = figure.apply(c.mux());
        Throughput base = figure.apply(c.direct());
        cells.add(mux == null || base == null ? "—" : ratio(mux.megabytesPerSecond() / base.megabytesPerSecond()));
      }
    }
    row(cells);
  }

  private void latencyRow(String name, Function<SetupResult, Latency> run, ToDoubleFunction<Latency> micros) {
    if (results.stream().allMatch(r -> run.apply(r) == null)) {
      return; // not measured in this run
    }
    List<String> cells = new ArrayList<>(List.of(name));
    for (Column c : columns) {
      if (c.setup() != null) {
        Latency l = run.apply(c.setup());
        cells.add(l == null ? "—" : String.format(Locale.ROOT, "%,.1f", micros.applyAsDouble(l)));
      } else {
        Latency mux = run.apply(c.mux());
        Latency base = run.apply(c.direct());
        cells.add(mux == null || base == null ? "—"
            : ratio(micros.applyAsDouble(mux) / micros.applyAsDouble(base)));
      }
    }
    row(cells);
  }

  /** A row with a cell per setup and none in the ratio columns. */
  private void cellRow(String name, Function<SetupResult, String> cell) {
    List<String> cells = new ArrayList<>(List.of(name));
    columns.forEach(c -> cells.add(c.setup() == null ? "" : cell.apply(c.setup())));
    row(cells);
  }

  private SetupResult find(Wire wire, boolean mux) {
    return results.stream().filter(r -> r.wire() == wire && r.mux() == mux).findFirst().orElse(null);
  }

  private String muxSettings() {
    return "max frame " + (options.frameSize() > 0 ? size(options.frameSize()) : "the default (32 KiB)")
        + ", channel window " + (options.window() > 0 ? size(options.window()) : "the default (1 MiB)");
  }

  private String transportSettings() {
    return "in-memory buffer " + (options.memoryPipeBytes() > 0 ? size(options.memoryPipeBytes())
        : "the default (256 KiB)") + " per direction, TCP socket buffers "
        + (options.tcpBufferBytes() > 0 ? size(options.tcpBufferBytes()) : "the kernel's (autotuned)")
        + ", TCP_NODELAY on";
  }

  private static String count(Latency latency) {
    return latency == null ? "—" : Integer.toString(latency.count());
  }

  private static String ratio(double value) {
    return String.format(Locale.ROOT, "%.2f×", value);
  }

  static String size(long bytes) {
    if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + " GiB";
    }
    if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("CPU model unknown");
    } catch (Exception e) {
      return "CPU model unknown";
    }
  }

  private void row(List<String> cells) {
    line("| " + String.join(" | ", cells) + " |");
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
