package dev.tether.bench.lsp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Many editors at once and large messages, side by side with OpenSSH, on the loopback sshd of
 * {@link LoopbackHost}, for each way the daemon reaches the agent on the host (the direct
 * {@code direct-streamlocal@openssh.com} channel and the {@code tether-remote stdio --daemon} relay):
 *
 * <ul>
 *   <li><b>editors</b>: N {@code tether lsp} commands at once (each its own process and ping server, all
 *       through one daemon and one SSH connection), beside N {@code ssh -S CTL host server} on one
 *       OpenSSH ControlMaster. All are started and initialized and 100 round trips warm each up; then,
 *       from one start signal, each sends its requests one at a time. Per editor p50 and p99; the median
 *       of those over the editors; the wall time until the last editor is done; the CPU time the
 *       daemon and the agent (OpenSSH: the master and sshd's per-connection processes) spent in it,
 *       and their RSS right after.</li>
 *   <li><b>64 KiB messages</b>: one editor sends {@code bench/echo} requests of 64 KiB params as fast
 *       as the path takes them (a writer thread and a reader thread), the server answers each with
 *       the same 64 KiB; MB/s counts both directions (10^6 bytes). Beside one {@code ssh host server}.</li>
 * </ul>
 *
 * <pre>BENCH_MAIN=dev.tether.bench.lsp.EditorsBench bench/run-lsp-bench.sh [--editors 1,4,16] [--requests 1000]
 *     [--messages 2000] [--routes direct,relay]</pre>
 *
 * Markdown on stdout, progress on stderr; never fails on a timing.
 */
public final class EditorsBench {
  private static final int WARM_UP = 100;
  private static final int MESSAGE_KIB = 64;
  private static final long STEP_TIMEOUT_MINUTES = 5;
  private static final String ROUTE_PROPERTY = "tether.agent.route";

  private final LoopbackHost host;
  private final List<Integer> editorCounts;
  private final int requests;
  private final int messages;
  private final StringBuilder out = new StringBuilder();

  private EditorsBench(LoopbackHost host, List<Integer> editorCounts, int requests, int messages) {
    this.host = host;
    this.editorCounts = editorCounts;
    this.requests = requests;
    this.messages = messages;
  }

  public static void main(String[] args) throws Exception {
    List<Integer> editors = List.of(1, 4, 16);
    List<String> routes = List.of("direct", "relay");
    int requests = 1000;
    int messages = 2000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--editors" -> editors = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
        case "--requests" -> requests = Integer.parseInt(args[++i]);
        case "--messages" -> messages = Integer.parseInt(args[++i]);
        case "--routes" -> routes = List.of(args[++i].split(","));
        default -> {
          System.err.println("usage: EditorsBench [--editors 1,4,16] [--requests N] [--messages N] [--routes direct,relay]");
          System.exit(2);
        }
      }
    }
    Path root = Path.of(System.getProperty("tether.root", ".")).toAbsolutePath().normalize();
    String loadBefore = LspReport.loadAverage();
    String when = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).toString();
    try (LoopbackHost host = new LoopbackHost(root)) {
      EditorsBench bench = new EditorsBench(host, editors, requests, messages);
      bench.out.append("Run of ").append(when).append("; 1-minute load average before ").append(loadBefore).append(".\n\n");
      bench.run(routes);
      bench.out.append("\nLoad average after: ").append(LspReport.loadAverage()).append(".\n");
    }
  }

  private void run(List<String> routes) throws Exception {
    LspBench.startControlMaster(host);
    Map<String, Map<Integer, Result>> editors = new LinkedHashMap<>();
    Map<String, Double> throughput = new LinkedHashMap<>();
    for (String route : routes) {
      startDaemon(route);
      editors.put("tether lsp (" + route + ")", editorRuns(() -> host.tetherLsp(LoopbackHost.LAUNCHER_FLAGS), true));
      throughput.put("tether lsp (" + route + ")", throughput("tether lsp (" + route + ")",
          () -> host.tetherLsp(LoopbackHost.LAUNCHER_FLAGS)));
      host.stopDaemon();
    }
    editors.put("ssh -S CTL host server (one ControlMaster)", editorRuns(host::openSshServerViaMaster, false));
    throughput.put("ssh host server", throughput("ssh host server", host::openSsh));
    throughput.put("direct (the server as a child)", throughput("direct", host::direct));
    report(editors, throughput);
    System.out.print(out);
  }

  /** A fresh daemon whose session with the host takes {@code route}; checked by the relay's presence. */
  private void startDaemon(String route) throws Exception {
    host.stopDaemon();
    List<String> flags = new ArrayList<>(LoopbackHost.LAUNCHER_FLAGS);
    if (route.equals("relay")) {
      flags.add("-D" + ROUTE_PROPERTY + "=relay"); // the CLI passes it to the daemon it starts
    }
    progress("starting the daemon (" + route + ")");
    LspPipe first = new LspPipe("first", host.processes.start(host.tetherLsp(flags)));
    try {
      first.initialize();
      first.shutdown(LspBench.EXIT_WAIT);
    } finally {
      first.close();
    }
    boolean relayed = !host.relays().isEmpty();
    if (relayed != route.equals("relay")) {
      throw new IllegalStateException("asked for the " + route + " path, but " + host.relays().size()
          + " relay(s) run under sshd");
    }
  }

  private Map<Integer, Result> editorRuns(Supplier<ProcessBuilder> command, boolean tether) throws Exception {
    Map<Integer, Result> results = new LinkedHashMap<>();
    for (int n : editorCounts) {
      progress((tether ? "tether" : "ssh") + ": " + n + " editor(s) at once, " + requests + " requests each");
      results.put(n, editors(command, n, tether));
    }
    return results;
  }

  /** What one run of N editors gave. */
  private record Result(long medianP50, long medianP99, long worstP99, double wallSeconds, double cpuSeconds1,
      double cpuSeconds2, Optional<ProcessTable.Rss> rss1, Optional<ProcessTable.Rss> rss2) {}

  private Result editors(Supplier<ProcessBuilder> command, int n, boolean tether) throws Exception {
    List<LspPipe> pipes = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        pipes.add(new LspPipe("editor " + i, host.processes.start(command.get())));
      }
      for (LspPipe pipe : pipes) {
        pipe.initialize();
        for (int i = 0; i < WARM_UP; i++) {
          pipe.ping();
        }
      }
      List<Long> side1 = tether ? host.daemon().map(d -> List.of(d.pid())).orElse(List.of()) : masterPids();
      List<Long> side2 = tether ? host.agents().stream().map(ProcessHandle::pid).toList() : host.sshdSessions();
      ProcessTable.Activity before1 = ProcessTable.activityOf(side1);
      ProcessTable.Activity before2 = ProcessTable.activityOf(side2);
      Samples[] samples = new Samples[n];
      IOException[] failures = new IOException[n];
      CountDownLatch go = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(n);
      for (int e = 0; e < n; e++) {
        int editor = e;
        samples[e] = new Samples();
        Thread thread = new Thread(() -> {
          try {
            go.await();
            for (int i = 0; i < requests; i++) {
              samples[editor].add(pipes.get(editor).ping());
            }
          } catch (IOException ex) {
            failures[editor] = ex;
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
          } finally {
            done.countDown();
          }
        }, "editor-" + e);
        thread.setDaemon(true);
        thread.start();
      }
      long start = System.nanoTime();
      go.countDown();
      if (!done.await(STEP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        throw new IOException(n + " editors did not finish within " + STEP_TIMEOUT_MINUTES + " min");
      }
      double wall = (System.nanoTime() - start) / 1e9;
      for (IOException failure : failures) {
        if (failure != null) {
          throw failure;
        }
      }
      double cpu1 = ProcessTable.activityOf(side1).minus(before1).cpuTicks() / LspReport.CLOCK_TICKS_PER_SECOND;
      double cpu2 = ProcessTable.activityOf(side2).minus(before2).cpuTicks() / LspReport.CLOCK_TICKS_PER_SECOND;
      Optional<ProcessTable.Rss> rss1 = side1.isEmpty() ? Optional.empty() : ProcessTable.rss(side1.get(0));
      Optional<ProcessTable.Rss> rss2 = side2.size() == 1 ? ProcessTable.rss(side2.get(0)) : sumRss(side2);
      long[] p50 = Arrays.stream(samples).mapToLong(Samples::median).sorted().toArray();
      long[] p99 = Arrays.stream(samples).mapToLong(s -> s.percentile(99)).sorted().toArray();
      for (LspPipe pipe : pipes) {
        pipe.shutdown(LspBench.EXIT_WAIT);
      }
      return new Result(p50[p50.length / 2], p99[p99.length / 2], p99[p99.length - 1], wall, cpu1, cpu2, rss1, rss2);
    } finally {
      pipes.forEach(LspPipe::close);
    }
  }

  private static Optional<ProcessTable.Rss> sumRss(List<Long> pids) {
    long total = 0;
    long anon = 0;
    long file = 0;
    for (long pid : pids) {
      Optional<ProcessTable.Rss> rss = ProcessTable.rss(pid);
      if (rss.isPresent()) {
        total += rss.get().totalKib();
        anon += rss.get().anonKib();
        file += rss.get().fileKib();
      }
    }
    return pids.isEmpty() ? Optional.empty() : Optional.of(new ProcessTable.Rss(total, anon, file));
  }

  /** The ControlMaster's pid: the {@code ssh -M} this bench started. */
  private List<Long> masterPids() {
    return ProcessHandle.allProcesses()
        .filter(p -> ProcessTable.commandLine(p).contains(" -M -S " + host.controlPath()))
        .map(ProcessHandle::pid).toList();
  }

  /** MB/s (both directions) of {@code messages} 64 KiB echo requests through one editor's path. */
  private double throughput(String name, Supplier<ProcessBuilder> command) throws Exception {
    progress(MESSAGE_KIB + " KiB messages through " + name);
    LspPipe pipe = new LspPipe("throughput", host.processes.start(command.get()));
    try {
      pipe.initialize();
      String params = "\"" + "x".repeat(MESSAGE_KIB * 1024 - 2) + "\"";
      pipe.echoes(params, messages / 10); // warm-up
      long start = System.nanoTime();
      long bytes = pipe.echoes(params, messages);
      double seconds = (System.nanoTime() - start) / 1e9;
      pipe.shutdown(LspBench.EXIT_WAIT);
      return bytes / seconds / 1e6;
    } finally {
      pipe.close();
    }
  }

  private void report(Map<String, Map<Integer, Result>> editors, Map<String, Double> throughput) {
    Map<Integer, Result> ssh = editors.get("ssh -S CTL host server (one ControlMaster)");
    out.append("Editors at once, ").append(requests).append(" `bench/ping` round trips each after ").append(WARM_UP)
        .append(" warm-up (µs; CPU and RSS: tether's daemon | agent, OpenSSH's master | sshd's per-connection processes):\n\n");
    out.append("| editors | path | median p50 | median p99 | worst p99 | wall (s) | p50 ÷ OpenSSH | wall ÷ OpenSSH"
        + " | CPU s (daemon / master) | CPU s (agent / sshd) | RSS MiB (daemon / master) | RSS MiB (agent / sshd) |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int n : editorCounts) {
      for (Map.Entry<String, Map<Integer, Result>> path : editors.entrySet()) {
        Result r = path.getValue().get(n);
        Result peer = ssh.get(n);
        out.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %.2f | %.2f× | %.2f× | %.2f | %.2f | %s | %s |%n",
            n, path.getKey(), r.medianP50 / 1e3, r.medianP99 / 1e3, r.worstP99 / 1e3, r.wallSeconds,
            (double) r.medianP50 / peer.medianP50, r.wallSeconds / peer.wallSeconds, r.cpuSeconds1, r.cpuSeconds2,
            mib(r.rss1), mib(r.rss2)));
      }
    }
    double sshRate = throughput.get("ssh host server");
    out.append("\n").append(MESSAGE_KIB).append(" KiB messages, ").append(messages)
        .append(" `bench/echo` requests answered with the same bytes, pipelined (MB/s, both directions):\n\n");
    out.append("| path | MB/s | ÷ ssh host server |\n|---|---|---|\n");
    throughput.forEach((path, rate) -> out.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f× |%n", path, rate,
        rate / sshRate)));
  }

  private static String mib(Optional<ProcessTable.Rss> rss) {
    return rss.map(r -> String.format(Locale.ROOT, "%.1f", r.totalKib() / 1024.0)).orElse("–");
  }

  static void progress(String line) {
    System.err.println("editors-bench: " + line);
  }
}
