package dev.tether.bench.lsp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The LSP, exec and transfer figures over a realistic network, side by side with OpenSSH in one run:
 * sshd in a network namespace this bench makes and removes ({@link LoopbackHost#behindBadNetwork}),
 * reached through a proxy that adds half the round trip in each direction, with the kernel dropping
 * a share of the packets in and out of the namespace (nftables; the kernel here has no sch_netem).
 * Reports what tether adds over OpenSSH there: milliseconds per round trip and per command, and the
 * throughput ratio.
 *
 * <pre>java ... dev.tether.bench.lsp.NetworkBench [--rtt-ms N (20)] [--loss N (1)] [--pings N (300)]
 *     [--execs N (10)] [--mib N (64)]</pre>
 *
 * <p>Needs root (a namespace), iproute2 and nftables. Never fails on a timing.
 */
public final class NetworkBench {
  private final LoopbackHost host;
  private final int rttMillis;
  private final int lossPercent;
  private final int pings;
  private final int execs;
  private final long bytes;

  private NetworkBench(LoopbackHost host, int rttMillis, int lossPercent, int pings, int execs, long bytes) {
    this.host = host;
    this.rttMillis = rttMillis;
    this.lossPercent = lossPercent;
    this.pings = pings;
    this.execs = execs;
    this.bytes = bytes;
  }

  public static void main(String[] args) throws Exception {
    int rtt = 20;
    int loss = 1;
    int pings = 300;
    int execs = 10;
    int mib = 64;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rtt-ms" -> rtt = Integer.parseInt(args[++i]);
        case "--loss" -> loss = Integer.parseInt(args[++i]);
        case "--pings" -> pings = Integer.parseInt(args[++i]);
        case "--execs" -> execs = Integer.parseInt(args[++i]);
        case "--mib" -> mib = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: NetworkBench [--rtt-ms N (20)] [--loss PERCENT (1)] [--pings N (300)] "
              + "[--execs N (10)] [--mib N (64)]");
          System.exit(2);
        }
      }
    }
    Path root = Path.of(System.getProperty("tether.root", ".")).toAbsolutePath().normalize();
    String load = LspReport.loadAverage();
    ZonedDateTime when = ZonedDateTime.now(ZoneOffset.UTC);
    LoopbackHost host = LoopbackHost.behindBadNetwork(root);
    Thread cleanup = new Thread(host::close, "cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C still ends every process and the namespace
    String report;
    try {
      report = new NetworkBench(host, rtt, loss, pings, execs, mib * 1024L * 1024L).run(load, when);
    } finally {
      host.close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    System.out.print(report);
  }

  private String run(String load, ZonedDateTime when) throws Exception {
    Path source = host.tempFile("source.bin");
    TransferBench.writeRandom(source, bytes);
    Path target = host.tempFile("target.bin");
    progress("a clean path first: the daemon connects and installs the agent; an OpenSSH ControlMaster");
    host.run(host.tetherExec(LoopbackHost.LAUNCHER_FLAGS, "true"));
    LspBench.startControlMaster(host);
    host.network(rttMillis / 2, lossPercent);
    progress("from now on " + rttMillis + " ms round trip and " + lossPercent + " % loss");

    Map<String, Samples> roundTrips = roundTrips();
    Map<String, Samples> commands = new LinkedHashMap<>();
    for (int i = 0; i < execs; i++) {
      progress("commands: " + (i + 1) + " of " + execs);
      add(commands, "tether exec host true (daemon warm)", timed(host.tetherExec(LoopbackHost.LAUNCHER_FLAGS, "true")));
      add(commands, "ssh -S CTL host true (ControlMaster)", timed(host.openSshViaMaster("true")));
      add(commands, "ssh host true (fresh connection)", timed(host.openSshTrue()));
    }
    Map<String, Double> rates = new LinkedHashMap<>();
    progress("transfers of " + bytes / (1024 * 1024) + " MiB");
    rates.put("read: tether fs cat", TransferBench.rate(host, tetherFs("cat", source.toString()), null, bytes));
    rates.put("read: ssh host cat", TransferBench.rate(host, ssh("cat " + source), null, bytes));
    rates.put("write: tether fs put", TransferBench.rate(host, tetherFs("put", target.toString()), source, bytes));
    rates.put("write: ssh host 'cat > FILE'", TransferBench.rate(host, ssh("cat > " + target), source, bytes));
    host.stopDaemon();
    return render(roundTrips, commands, rates, load, when);
  }

  /** The LSP round trip on each path, in rounds that rotate the order so every path sees the same moment. */
  private Map<String, Samples> roundTrips() throws Exception {
    Map<String, Samples> samples = new LinkedHashMap<>();
    List<LspPipe> pipes = new ArrayList<>();
    try {
      pipes.add(new LspPipe("tether lsp", host.processes.start(host.tetherLsp(LoopbackHost.LAUNCHER_FLAGS))));
      pipes.add(new LspPipe("ssh -S CTL host server (ControlMaster)", host.processes.start(host.openSshServerViaMaster())));
      pipes.add(new LspPipe("ssh host server", host.processes.start(host.openSsh())));
      for (LspPipe pipe : pipes) {
        progress("round trips: starting " + pipe.name());
        pipe.initialize();
        for (int i = 0; i < 20; i++) {
          pipe.ping();
        }
        samples.put(pipe.name(), new Samples());
      }
      int rounds = 5;
      for (int round = 0; round < rounds; round++) {
        progress("round trips: round " + (round + 1) + " of " + rounds);
        for (int k = 0; k < pipes.size(); k++) {
          LspPipe pipe = pipes.get((round + k) % pipes.size());
          for (int i = 0; i < pings / rounds; i++) {
            samples.get(pipe.name()).add(pipe.ping());
          }
        }
      }
      for (LspPipe pipe : pipes) {
        pipe.shutdown(LspBench.EXIT_WAIT);
      }
    } finally {
      pipes.forEach(LspPipe::close);
    }
    return samples;
  }

  private long timed(ProcessBuilder builder) throws Exception {
    long start = System.nanoTime();
    host.run(builder);
    return System.nanoTime() - start;
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

  private static void add(Map<String, Samples> samples, String name, long nanos) {
    samples.computeIfAbsent(name, k -> new Samples()).add(nanos);
  }

  private String render(Map<String, Samples> roundTrips, Map<String, Samples> commands, Map<String, Double> rates,
      String load, ZonedDateTime when) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "### Figures (%s UTC; %d ms round trip added by the proxy, %d %% packet loss "
            + "each way; load average before: %s, after: %s)%n%n", when.toLocalDateTime().withNano(0).toString().replace('T', ' '),
        rttMillis, lossPercent, load, LspReport.loadAverage()));
    Samples master = roundTrips.get("ssh -S CTL host server (ControlMaster)");
    out.append(String.format(Locale.ROOT, "LSP round trip (`bench/ping`), %d samples per path in 5 rotating rounds (ms):%n%n", pings));
    out.append("| path | p50 | p99 | max | p50 added over the ControlMaster | p50 ÷ ControlMaster | p99 ÷ ControlMaster |\n");
    out.append("|---|---|---|---|---|---|---|\n");
    roundTrips.forEach((name, s) -> out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %+.2f | %.2f× | %.2f× |%n",
        name, ms(s.median()), ms(s.percentile(99)), ms(s.max()), ms(s.median() - master.median()),
        (double) s.median() / master.median(), (double) s.percentile(99) / master.percentile(99))));
    Samples masterTrue = commands.get("ssh -S CTL host true (ControlMaster)");
    out.append(String.format(Locale.ROOT, "%nA command to its exit, %d runs each, alternating (ms):%n%n", execs));
    out.append("| command | median | max | median added over the ControlMaster | ÷ ControlMaster |\n|---|---|---|---|---|\n");
    commands.forEach((name, s) -> out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %+.0f | %.2f× |%n",
        name, ms(s.median()), ms(s.max()), ms(s.median() - masterTrue.median()), (double) s.median() / masterTrue.median())));
    out.append(String.format(Locale.ROOT, "%n%d MiB file, one transfer each (MB/s):%n%n| transfer | MB/s | ÷ OpenSSH |%n|---|---|---|%n",
        bytes / (1024 * 1024)));
    double readSsh = rates.get("read: ssh host cat");
    double writeSsh = rates.get("write: ssh host 'cat > FILE'");
    rates.forEach((name, rate) -> out.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f× |%n", name, rate,
        rate / (name.startsWith("read") ? readSsh : writeSsh))));
    return out.toString();
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static void progress(String line) {
    System.err.println("network-bench: " + line);
  }
}
