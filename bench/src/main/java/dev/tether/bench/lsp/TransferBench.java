package dev.tether.bench.lsp;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Bulk file transfer through {@code tether fs} side by side with OpenSSH ({@code ssh host cat},
 * {@code sftp}) over the same loopback sshd, in one run; and an LSP round trip's p99 through
 * {@code tether lsp} while such a transfer shares the tunnel, against the same round trip idle. Prints
 * Markdown on stdout, progress on stderr; never fails on a timing.
 *
 * <pre>java ... dev.tether.bench.lsp.TransferBench [--mib N] [--runs N] [--pings N]</pre>
 */
public final class TransferBench {
  private final LoopbackHost host;
  private final long bytes;
  private final int runs;
  private final int pings;

  private TransferBench(LoopbackHost host, long bytes, int runs, int pings) {
    this.host = host;
    this.bytes = bytes;
    this.runs = runs;
    this.pings = pings;
  }

  public static void main(String[] args) throws Exception {
    int mib = 1024;
    int runs = 3;
    int pings = 3000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mib" -> mib = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--pings" -> pings = Integer.parseInt(args[++i]);
        case "--quick" -> {
          mib = 256;
          runs = 1;
          pings = 1000;
        }
        default -> {
          System.err.println("usage: TransferBench [--mib N (1024)] [--runs N (3)] [--pings N (3000)] [--quick]");
          System.exit(2);
        }
      }
    }
    Path root = Path.of(System.getProperty("tether.root", ".")).toAbsolutePath().normalize();
    String load = LspReport.loadAverage();
    ZonedDateTime when = ZonedDateTime.now(ZoneOffset.UTC);
    LoopbackHost host = new LoopbackHost(root);
    Thread cleanup = new Thread(host::close, "cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    String report;
    try {
      report = new TransferBench(host, mib * 1024L * 1024L, runs, pings).run(load, when);
    } finally {
      host.close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    System.out.print(report);
  }

  private String run(String load, ZonedDateTime when) throws Exception {
    Path source = host.tempFile("source.bin");
    progress("writing a " + bytes / (1024 * 1024) + " MiB file of pseudo-random bytes");
    writeRandom(source, bytes);
    Path target = host.tempFile("target.bin");
    // One untimed command first: the daemon connects and installs the agent, as for any later use.
    host.run(tetherFs("stat", source.toString()));

    // One untimed transfer with every tool: page cache, and the JIT of the daemon and agent (long-lived
    // processes that users keep warm) at their steady state.
    progress("warm-up: one untimed transfer with each tool");
    time(tetherFs("cat", source.toString()), null);
    time(ssh("cat " + source), null);
    time(tetherFs("put", target.toString()), source);
    time(ssh("cat > " + target), source);
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (int run = 1; run <= runs; run++) {
      progress("transfers: run " + run + " of " + runs);
      // Alternating tools within a run, so each sees the same background load.
      add(rates, "read: tether fs cat", time(tetherFs("cat", source.toString()), null));
      add(rates, "read: ssh host cat", time(ssh("cat " + source), null));
      add(rates, "read: sftp get", time(sftp("get " + source + " /dev/null"), null));
      add(rates, "write: tether fs put", time(tetherFs("put", target.toString()), source));
      add(rates, "write: ssh host 'cat > FILE'", time(ssh("cat > " + target), source));
      add(rates, "write: sftp put", time(sftp("put " + source + " " + target), null));
    }
    Files.deleteIfExists(target);

    progress("LSP round trips, idle and while tether fs cat shares the tunnel");
    double[] idle;
    double[] underTransfer;
    try (LspPipe lsp = new LspPipe("tether lsp", host.processes.start(host.tetherLsp(LoopbackHost.LAUNCHER_FLAGS)))) {
      lsp.initialize();
      for (int i = 0; i < 500; i++) {
        lsp.ping(); // warm-up
      }
      idle = pings(lsp, pings, null, source);
      underTransfer = pings(lsp, pings, tetherFs("cat", source.toString()), source);
      lsp.shutdown(LspBench.EXIT_WAIT);
    }
    host.stopDaemon();
    return render(rates, idle, underTransfer, load, when);
  }

  /** {@code count} round trips; with {@code transfer}, only while one runs (restarted until enough samples). */
  private double[] pings(LspPipe lsp, int count, ProcessBuilder transfer, Path source) throws Exception {
    double[] micros = new double[count];
    int n = 0;
    while (n < count) {
      Process running = transfer == null ? null
          : host.processes.start(transfer.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD));
      if (running != null) {
        Thread.sleep(300); // the transfer is under way (past the CLI's start) before sampling
      }
      while (n < count && (running == null || running.isAlive())) {
        micros[n++] = lsp.ping() / 1e3;
      }
      if (running != null) {
        running.waitFor(120, TimeUnit.SECONDS);
      }
    }
    Arrays.sort(micros);
    return micros;
  }

  private ProcessBuilder tetherFs(String... args) {
    List<String> all = new ArrayList<>(List.of("fs"));
    all.addAll(host.tetherConnectionArgs());
    all.addAll(List.of(args));
    return host.tetherCommand(LoopbackHost.LAUNCHER_FLAGS, all.toArray(String[]::new))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
  }

  private ProcessBuilder ssh(String remoteCommand) {
    return host.openSshCommand(remoteCommand).redirectOutput(ProcessBuilder.Redirect.DISCARD);
  }

  private ProcessBuilder sftp(String batchLine) throws IOException {
    Path batch = host.tempFile("sftp-batch-" + Integer.toHexString(batchLine.hashCode()) + ".txt");
    Files.writeString(batch, batchLine + "\n");
    return host.sftp(batch).redirectOutput(ProcessBuilder.Redirect.DISCARD);
  }

  private double time(ProcessBuilder builder, Path input) throws Exception {
    return rate(host, builder, input, bytes);
  }

  /** Runs a transfer of {@code bytes} to its end (stdin from {@code input}, or empty); returns MB/s (10^6 bytes). */
  static double rate(LoopbackHost host, ProcessBuilder builder, Path input, long bytes) throws Exception {
    builder.redirectInput(input == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.from(input.toFile()));
    long start = System.nanoTime();
    Process process = host.processes.start(builder);
    if (!process.waitFor(300, TimeUnit.SECONDS)) {
      ProcessTable.endTree(process.toHandle());
      throw new IOException(builder.command() + " did not finish in 300 s");
    }
    long elapsed = System.nanoTime() - start;
    if (process.exitValue() != 0) {
      throw new IOException(builder.command() + " exited " + process.exitValue() + "; logs in " + host.logs());
    }
    return bytes / (elapsed / 1e9) / 1e6;
  }

  private static void add(Map<String, List<Double>> rates, String name, double value) {
    rates.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
  }

  static void writeRandom(Path file, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long done = 0; done < size; done += block.length) {
        for (int i = 0; i < block.length; i += 8) {
          long v = random.nextLong();
          for (int b = 0; b < 8; b++) {
            block[i + b] = (byte) (v >>> (8 * b));
          }
        }
        out.write(block, 0, (int) Math.min(block.length, size - done));
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  private static double percentile(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private String render(Map<String, List<Double>> rates, double[] idle, double[] busy, String load, ZonedDateTime when) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "### Figures (%s UTC, %d MiB file, %d run(s), load average before: %s)%n%n",
        when.toLocalDateTime().withNano(0).toString().replace('T', ' '), bytes / (1024 * 1024), runs, load));
    out.append("| transfer | median MB/s | runs (MB/s) |\n| --- | --- | --- |\n");
    rates.forEach((name, values) -> out.append("| ").append(name).append(" | ")
        .append(String.format(Locale.ROOT, "%.0f", median(values))).append(" | ")
        .append(values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).reduce((a, b) -> a + ", " + b).orElse(""))
        .append(" |\n"));
    out.append("\n| ratio | measured | target | result |\n| --- | --- | --- | --- |\n");
    ratio(out, "read: tether fs ÷ ssh host cat", median(rates.get("read: tether fs cat")) / median(rates.get("read: ssh host cat")), 1.0, true);
    ratio(out, "read: tether fs ÷ sftp", median(rates.get("read: tether fs cat")) / median(rates.get("read: sftp get")), 1.0, true);
    ratio(out, "write: tether fs ÷ ssh host 'cat > FILE'", median(rates.get("write: tether fs put")) / median(rates.get("write: ssh host 'cat > FILE'")), 1.0, true);
    ratio(out, "write: tether fs ÷ sftp", median(rates.get("write: tether fs put")) / median(rates.get("write: sftp put")), 1.0, true);
    ratio(out, "LSP round trip p99, under the transfer ÷ idle", percentile(busy, 0.99) / percentile(idle, 0.99), 2.0, false);
    out.append(String.format(Locale.ROOT, "%n| LSP round trip through tether lsp (µs) | p50 | p99 | max | samples |%n| --- | --- | --- | --- | --- |%n"));
    out.append(String.format(Locale.ROOT, "| idle | %.0f | %.0f | %.0f | %d |%n", percentile(idle, 0.5), percentile(idle, 0.99), idle[idle.length - 1], idle.length));
    out.append(String.format(Locale.ROOT, "| while `tether fs cat` of the file shares the tunnel | %.0f | %.0f | %.0f | %d |%n",
        percentile(busy, 0.5), percentile(busy, 0.99), busy[busy.length - 1], busy.length));
    return out.toString();
  }

  private static void ratio(StringBuilder out, String name, double value, double target, boolean atLeast) {
    boolean met = atLeast ? value >= target : value <= target;
    out.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%.2f×", value)).append(" | ")
        .append(atLeast ? "≥ " : "≤ ").append(String.format(Locale.ROOT, "%.1f×", target)).append(" | ")
        .append(met ? "met" : "**not met**").append(" |\n");
  }

  private static void progress(String line) {
    System.err.println("transfer-bench: " + line);
  }
}
