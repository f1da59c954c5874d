package dev.tether.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The session library's benchmark: bulk throughput on one and on many channels, and small-message
 * round trips idle and beside a bulk transfer, over the in-memory transport and loopback TCP, each
 * with a direct baseline (the same runs on the bare transport, no session) measured the same way.
 * Prints a Markdown table on stdout, progress on stderr.
 *
 * <p>A harness, not a test: it reports figures and marks the targets met or not met, and never fails
 * on a timing. Run it with {@code bench/run-mux-bench.sh [--quick] [flags]}; {@code --help} lists the
 * flags.
 */
public final class MuxBench {
  private MuxBench() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (BenchOptions.UsageException e) {
      boolean asked = e.getMessage().isEmpty(); // --help
      System.err.print((asked ? "" : "mux-bench: " + e.getMessage() + "\n") + BenchOptions.USAGE);
      System.exit(asked ? 0 : 2);
      return;
    }
    quietLibraryLogs();
    String loadAtStart = Report.loadAverage();
    List<SetupResult> results = new ArrayList<>();
    for (Wire wire : options.wires()) {
      results.add(MuxScenarios.run(wire, options));
      if (options.direct()) {
        results.add(DirectScenarios.run(wire, options));
      }
    }
    System.out.print(Report.render(results, options, loadAtStart));
    System.out.flush();
    System.exit(0); // sessions' timer and worker threads are daemons, but a stuck peer thread must not hold us
  }

  /** Session open/close chatter is INFO; the table is the output. Set before the first logger exists. */
  private static void quietLibraryLogs() {
    String key = "org.slf4j.simpleLogger.defaultLogLevel";
    if (System.getProperty(key) == null) {
      System.setProperty(key, "warn");
    }
  }
}
