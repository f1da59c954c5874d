package dev.tether.bench.lsp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code tether lsp} side by side with {@code ssh host server} (OpenSSH) and with the server spawned
 * directly, in one run, against one deterministic ping server ({@link PingServer}) on a real sshd on
 * 127.0.0.1. Prints Markdown on stdout (round-trip percentiles, start times, idle memory, ratios and
 * targets) and progress on stderr. Never fails on a timing: a missed target is printed as missed.
 */
public final class LspBench {
  static final Duration EXIT_WAIT = Duration.ofSeconds(15);
  static final long STEP_TIMEOUT_SECONDS = 90;

  private final LoopbackHost host;
  private final LspBenchOptions options;
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "watchdog");
    t.setDaemon(true);
    return t;
  });

  private LspBench(LoopbackHost host, LspBenchOptions options) {
    this.host = host;
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    LspBenchOptions options = LspBenchOptions.parse(args);
    if (options == null) {
      return;
    }
    Path root = Path.of(System.getProperty("tether.root", ".")).toAbsolutePath().normalize();
    String loadBefore = LspReport.loadAverage();
    ZonedDateTime when = ZonedDateTime.now(ZoneOffset.UTC);
    LoopbackHost host = new LoopbackHost(root);
    Thread cleanup = new Thread(host::close, "cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C still ends every process by pid
    LspResults results;
    try {
      results = new LspBench(host, options).run();
    } catch (Exception e) {
      Path kept = Files.createTempDirectory("tether-lsp-bench-logs-");
      try (var files = Files.list(host.logs())) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.copy(f, kept.resolve(f.getFileName()));
        }
      }
      System.err.println("lsp-bench: failed: " + e + "; the processes' stderr is kept in " + kept);
      throw e;
    } finally {
      host.close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    System.out.print(LspReport.render(results, options, loadBefore, when));
  }

  private LspResults run() throws Exception {
    LspResults results = new LspResults();
    progress("sshd on 127.0.0.1 started; one untimed round of every start (disk caches, agent install)");
    startControlMaster(host);
    startRound(results, false);
    for (int rep = 1; rep <= options.starts(); rep++) {
      progress("start times: repetition " + rep + " of " + options.starts());
      startRound(results, true);
    }
    results.memory.put("daemon, after the start-ups only (no server open)", daemonRss());
    results.memory.put("agent, after the start-ups only (same moment)", agentRss());
    roundTrips(results);
    idleMemory(results);
    host.stopDaemon();
    return results;
  }

  /**
   * One repetition of every start figure; cold first, so the warm ones find the daemon it left. In the
   * untimed first round the {@code ./tether} launcher makes its class-data archive (AppCDS).
   */
  private void startRound(LspResults results, boolean record) throws Exception {
    Map<String, Long> round = new LinkedHashMap<>();
    host.stopDaemon();
    round.put(LspResults.COLD, startToInitialize(() -> host.tetherLsp(LoopbackHost.LAUNCHER_FLAGS), "tether lsp (cold)"));
    if (host.daemon().isEmpty() || host.agents().isEmpty()) {
      throw new IllegalStateException("after a cold start the daemon or its agent is not running: the warm figure would be cold");
    }
    int connections = host.sshConnections();
    round.put(LspResults.WARM, startToInitialize(() -> host.tetherLsp(LoopbackHost.LAUNCHER_FLAGS), "tether lsp (warm)"));
    if (!record) {
      host.run(host.launcherCommand("--version")); // the launcher makes its class-data archive now
      results.launcherArchive = host.launcherArchiveExists();
    }
    round.put(LspResults.WARM_LAUNCHER, startToInitialize(host::launcherLsp, "./tether lsp (warm)"));
    if (record) {
      results.warmSshConnections += host.sshConnections() - connections;
    }
    round.put(LspResults.SSH, startToInitialize(host::openSsh, "ssh host server"));
    round.put(LspResults.DIRECT, startToInitialize(host::direct, "direct"));
    round.put(LspResults.SSH_TRUE, runToExit(host::openSshTrue));
    round.put(LspResults.CLI_VERSION, runToExit(() -> host.tetherCommand(LoopbackHost.LAUNCHER_FLAGS, "--version")));
    round.put(LspResults.LAUNCHER_VERSION, runToExit(() -> host.launcherCommand("--version")));
    round.put(LspResults.CLI_STATUS, runToExit(() -> host.tetherCommand(LoopbackHost.LAUNCHER_FLAGS, "status")));
    round.put(LspResults.EXEC_WARM, runToExit(() -> host.tetherExec(LoopbackHost.LAUNCHER_FLAGS, "true")));
    round.put(LspResults.SSH_MASTER_TRUE, runToExit(() -> host.openSshViaMaster("true")));
    if (record) {
      round.forEach(results::addStart);
    }
  }

  /** An OpenSSH ControlMaster for the `ssh host true` peer of `tether exec`; ended by pid with the host. */
  static void startControlMaster(LoopbackHost host) throws Exception {
    Process master = host.processes.start(host.openSshMaster().redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(host.controlPath())) {
      if (!master.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("the OpenSSH ControlMaster did not start; see " + host.logs());
      }
      Thread.sleep(20); // another process's socket: polling with a deadline
    }
  }

  /** Spawn to {@code initialize} answered, in nanoseconds; then the editor's shutdown and exit. */
  private long startToInitialize(Supplier<ProcessBuilder> command, String name) throws Exception {
    ProcessBuilder builder = command.get();
    long start = System.nanoTime();
    LspPipe pipe = new LspPipe(name, host.processes.start(builder));
    ScheduledFuture<?> guard = guard(pipe.process(), name);
    try {
      pipe.initialize();
      long elapsed = System.nanoTime() - start;
      if (!pipe.shutdown(EXIT_WAIT)) {
        throw new IOException(name + " did not exit within " + EXIT_WAIT.toSeconds() + " s of shutdown and exit");
      }
      return elapsed;
    } finally {
      guard.cancel(false);
      pipe.close();
    }
  }

  /** Start to exit of a short command, in nanoseconds. */
  private long runToExit(Supplier<ProcessBuilder> command) throws Exception {
    ProcessBuilder builder = command.get();
    long start = System.nanoTime();
    host.run(builder);
    return System.nanoTime() - start;
  }

  /** Ends a stuck process after {@link #STEP_TIMEOUT_SECONDS}, so the blocked read sees its end. */
  private ScheduledFuture<?> guard(Process process, String name) {
    return watchdog.schedule(() -> {
      if (process.isAlive()) {
        System.err.println("lsp-bench: " + name + " is stuck; ending it");
        ProcessTable.endTree(process.toHandle());
      }
    }, STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * The three paths open at once; after a warm-up, rounds of one block of samples per path, the order
   * rotating, so every path sees the same background load; samples pooled per path.
   */
  private void roundTrips(LspResults results) throws Exception {
    List<LspPipe> pipes = new ArrayList<>();
    try {
      pipes.add(new LspPipe(LspResults.DIRECT, host.processes.start(host.direct())));
      pipes.add(new LspPipe(LspResults.SSH, host.processes.start(host.openSsh())));
      pipes.add(new LspPipe(LspResults.TETHER, host.processes.start(host.tetherLsp(LoopbackHost.LAUNCHER_FLAGS))));
      pipes.add(new LspPipe(LspResults.TETHER_LOCAL, host.processes.start(host.tetherLspLocal(LoopbackHost.LAUNCHER_FLAGS))));
      for (LspPipe pipe : pipes) {
        ScheduledFuture<?> guard = guard(pipe.process(), pipe.name());
        pipe.initialize();
        progress("round trips: warming up " + pipe.name() + " (" + options.warmup() + ")");
        for (int i = 0; i < options.warmup(); i++) {
          pipe.ping();
        }
        guard.cancel(false);
      }
      int block = Math.max(1, options.samples() / options.rounds());
      for (int round = 0; round < options.rounds(); round++) {
        progress("round trips: round " + (round + 1) + " of " + options.rounds());
        for (int k = 0; k < pipes.size(); k++) {
          LspPipe pipe = pipes.get((round + k) % pipes.size());
          ScheduledFuture<?> guard = guard(pipe.process(), pipe.name());
          List<ProcessHandle> involved = new ArrayList<>(host.serverSide());
          pipes.forEach(p -> involved.add(p.process().toHandle()));
          ProcessTable.Activity before = ProcessTable.activity(involved);
          for (int i = 0; i < block; i++) {
            results.addRoundTrip(pipe.name(), pipe.ping());
          }
          results.addActivity(pipe.name(), ProcessTable.activity(involved).minus(before), block);
          guard.cancel(false);
          if (pipe.name().equals(LspResults.TETHER)) {
            tetherByRole(results, pipe, block);
          }
        }
      }
      results.memory.put("`tether lsp` CLI process, right after the round trips",
          ProcessTable.rss(pipes.get(2).process().pid()));
      results.memory.put("daemon, right after the round trips (two servers open)", daemonRss());
      results.memory.put("agent, right after the round trips (one server open)", agentRss());
      for (LspPipe pipe : pipes) {
        pipe.shutdown(EXIT_WAIT);
      }
    } finally {
      pipes.forEach(LspPipe::close);
    }
  }

  /** One more block on the tether path, its cost split by process: where the round trip spends its CPU. */
  private void tetherByRole(LspResults results, LspPipe pipe, int block) throws IOException {
    Map<String, List<Long>> roles = host.tetherRoles(pipe.process());
    Map<String, ProcessTable.Activity> before = new LinkedHashMap<>();
    roles.forEach((role, pids) -> before.put(role, ProcessTable.activityOf(pids)));
    for (int i = 0; i < block; i++) {
      pipe.ping();
    }
    roles.forEach((role, pids) -> results.addActivity(role, ProcessTable.activityOf(pids).minus(before.get(role)), block,
        results.tetherRoles));
  }

  /** The daemon and the agent holding one session with no server open, after they have settled. */
  private void idleMemory(LspResults results) throws InterruptedException {
    progress("idle memory: waiting " + options.idleSeconds() + " s with the session open and no server");
    Thread.sleep(options.idleSeconds() * 1000L);
    results.daemonIdle = daemonRss();
    results.agentIdle = agentRss();
    results.memory.put("daemon, idle after the round trips (" + options.idleSeconds() + " s, no server open)", results.daemonIdle);
    results.memory.put("agent, idle after the round trips (same moment)", results.agentIdle);
    // Diagnosis, not a figure users see: how much of the idle RSS is Java heap the JVM keeps committed.
    host.daemon().ifPresent(d -> results.heapInfo.put("daemon", jcmd(d.pid(), "GC.heap_info")));
    host.agents().stream().findFirst().ifPresent(a -> results.heapInfo.put("agent", jcmd(a.pid(), "GC.heap_info")));
    host.daemon().ifPresent(d -> jcmd(d.pid(), "GC.run"));
    host.agents().stream().findFirst().ifPresent(a -> jcmd(a.pid(), "GC.run"));
    Thread.sleep(1000);
    results.memory.put("daemon, after a full GC (`jcmd PID GC.run`, diagnosis only)", daemonRss());
    results.memory.put("agent, after a full GC (same)", agentRss());
  }

  /** {@code jcmd PID COMMAND}'s output (the JDK's own tool; same user), or the reason it failed. */
  private String jcmd(long pid, String command) {
    Path jcmd = Path.of(host.javaCommand).resolveSibling("jcmd");
    try {
      Process p = host.processes.start(new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
          .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return out.strip();
    } catch (IOException e) {
      return "(jcmd failed: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  private Optional<ProcessTable.Rss> daemonRss() {
    return host.daemon().flatMap(d -> ProcessTable.rss(d.pid()));
  }

  /** The agent on the sshd (there is one: the warm starts checked that no second connection was made). */
  private Optional<ProcessTable.Rss> agentRss() {
    List<ProcessHandle> agents = host.agents();
    return agents.size() == 1 ? ProcessTable.rss(agents.get(0).pid()) : Optional.empty();
  }

  static void progress(String line) {
    System.err.println("lsp-bench: " + line);
  }
}
