package dev.tether.bench.lsp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The Markdown the benchmark prints: tables of figures, ratios, and the targets met or not. */
final class LspReport {
  static final double TARGET_P50 = 1.0;
  static final double TARGET_P99 = 1.2;
  static final double TARGET_WARM_START = 0.5;
  static final long TARGET_AGENT_KIB = 64 * 1024;
  static final long TARGET_DAEMON_KIB = 96 * 1024;
  /** USER_HZ, the unit of utime and stime in /proc; 100 on every Linux this runs on. */
  static final double CLOCK_TICKS_PER_SECOND = 100;

  private LspReport() {
  }

  static String render(LspResults r, LspBenchOptions o, String loadBefore, ZonedDateTime when) {
    StringBuilder out = new StringBuilder();
    out.append("### Figures (").append(when.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append(" UTC)\n\n");
    out.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, Java ")
        .append(System.getProperty("java.vm.version")).append("; 1-minute load average before the run ")
        .append(loadBefore).append(", after ").append(loadAverage()).append(".\n\n");

    Samples ssh = r.roundTrips.get(LspResults.SSH);
    Samples direct = r.roundTrips.get(LspResults.DIRECT);
    out.append("Tiny request round trip (`").append(PingServer.PING).append("` → `\"pong\"`), ")
        .append(o.samples()).append(" samples per path after ").append(o.warmup()).append(" warm-up, in ")
        .append(o.rounds()).append(" rounds:\n\n");
    out.append("| path | p50 (µs) | p99 (µs) | max (µs) | p50 ÷ OpenSSH | p99 ÷ OpenSSH | p50 ÷ direct | p99 ÷ direct |\n");
    out.append("|---|---|---|---|---|---|---|---|\n");
    for (String path : r.roundTrips.keySet()) {
      Samples s = r.roundTrips.get(path);
      out.append("| ").append(path).append(" | ").append(micros(s.percentile(50))).append(" | ")
          .append(micros(s.percentile(99))).append(" | ").append(micros(s.max())).append(" | ")
          .append(ratio(s.percentile(50), ssh.percentile(50))).append(" | ")
          .append(ratio(s.percentile(99), ssh.percentile(99))).append(" | ")
          .append(ratio(s.percentile(50), direct.percentile(50))).append(" | ")
          .append(ratio(s.percentile(99), direct.percentile(99))).append(" |\n");
    }

    out.append("\nWhat one round trip costs the machine, summed over every thread of every process on the path")
        .append(" (editor side, daemon, sshd and its children, agent, server), from /proc during the timed blocks:\n\n")
        .append("| path | context switches per round trip | CPU time per round trip (µs) |\n|---|---|---|\n");
    activityRows(out, r.activity);
    out.append("\nThe `tether lsp` path's cost by process (another block of round trips, timed as a whole):\n\n")
        .append("| process | context switches per round trip | CPU time per round trip (µs) |\n|---|---|---|\n");
    activityRows(out, r.tetherRoles);

    Samples fresh = r.starts.get(LspResults.SSH);
    out.append("\nSpawn → `initialize` answered (and the parts it is made of), median of ").append(o.starts())
        .append(" repetitions, in ms:\n\n");
    out.append("| what | median | min | max | ÷ fresh `ssh host server` |\n|---|---|---|---|---|\n");
    for (var e : r.starts.entrySet()) {
      Samples s = e.getValue();
      out.append("| ").append(e.getKey().equals(LspResults.SSH) ? "fresh ssh host server" : e.getKey()).append(" | ")
          .append(millis(s.median())).append(" | ").append(millis(s.min())).append(" | ").append(millis(s.max()))
          .append(" | ").append(ratio(s.median(), fresh.median())).append(" |\n");
    }

    out.append("\nSSH connections opened during the warm starts: ").append(r.warmSshConnections)
        .append(" (0: each reused the daemon's session). The launcher's class-data archive was ")
        .append(r.launcherArchive ? "in use" : "**missing** (its rows ran without one)").append(".\n");
    out.append("\nResident memory (from /proc/PID/status: VmRSS = RssAnon, the JVM's heap, code and metadata,")
        .append(" + RssFile, mapped jars, libjvm and class-data archives):\n\n")
        .append("| process, moment | VmRSS | RssAnon | RssFile |\n|---|---|---|---|\n");
    r.memory.forEach((what, rss) -> out.append("| ").append(what).append(" | ")
        .append(rss.map(m -> mib(m.totalKib()) + " | " + mib(m.anonKib()) + " | " + mib(m.fileKib())).orElse("– | – | –"))
        .append(" |\n"));

    r.heapInfo.forEach((who, info) -> out.append("\n`jcmd PID GC.heap_info` of the idle ").append(who).append(":\n\n```\n")
        .append(info.lines().filter(l -> !l.matches("\\d+:")).map(String::strip).reduce((a, b) -> a + "\n" + b).orElse(""))
        .append("\n```\n"));

    Samples tether = r.roundTrips.get(LspResults.TETHER);
    Samples warm = r.starts.get(LspResults.WARM);
    out.append("\n| target | measured | result |\n|---|---|---|\n");
    target(out, "round trip p50 ≤ " + TARGET_P50 + "× OpenSSH", tether.percentile(50), ssh.percentile(50), TARGET_P50, true);
    target(out, "round trip p99 ≤ " + TARGET_P99 + "× OpenSSH", tether.percentile(99), ssh.percentile(99), TARGET_P99, true);
    target(out, "warm start ≤ " + TARGET_WARM_START + "× a fresh `ssh host server`, `java -jar tether.jar`", warm.median(),
        fresh.median(), TARGET_WARM_START, false);
    Samples launcher = r.starts.get(LspResults.WARM_LAUNCHER);
    target(out, "warm start ≤ " + TARGET_WARM_START + "× a fresh `ssh host server`, `./tether` (with its archive)",
        launcher.median(), fresh.median(), TARGET_WARM_START, false);
    Samples exec = r.starts.get(LspResults.EXEC_WARM);
    Samples master = r.starts.get(LspResults.SSH_MASTER_TRUE);
    if (exec != null && master != null) {
      target(out, "warm `tether exec host true` ≤ 1.0× `ssh host true` through a ControlMaster", exec.median(),
          master.median(), 1.0, false);
    }
    memoryTarget(out, "agent idle RSS ≤ 64 MiB", r.agentIdle, TARGET_AGENT_KIB);
    memoryTarget(out, "daemon idle RSS ≤ 96 MiB", r.daemonIdle, TARGET_DAEMON_KIB);
    return out.toString();
  }

  private static void activityRows(StringBuilder out, Map<String, long[]> activity) {
    activity.forEach((what, a) -> out.append("| ").append(what).append(" | ")
        .append(String.format(Locale.ROOT, "%.1f", (double) a[0] / a[2])).append(" | ")
        .append(String.format(Locale.ROOT, "%.0f", a[1] * 1e6 / CLOCK_TICKS_PER_SECOND / a[2])).append(" |\n"));
  }

  private static void target(StringBuilder out, String name, long value, long peer, double limit, boolean micros) {
    double ratio = (double) value / peer;
    out.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%.2f×", ratio)).append(" (")
        .append(micros ? micros(value) + " µs vs " + micros(peer) + " µs" : millis(value) + " ms vs " + millis(peer) + " ms")
        .append(") | ").append(ratio <= limit ? "met" : "**not met**").append(" |\n");
  }

  private static void memoryTarget(StringBuilder out, String name, Optional<ProcessTable.Rss> rss, long limit) {
    out.append("| ").append(name).append(" | ").append(rss.map(m -> mib(m.totalKib())).orElse("–")).append(" | ")
        .append(rss.isEmpty() ? "**not measured**" : rss.get().totalKib() <= limit ? "met" : "**not met**").append(" |\n");
  }

  static String micros(long nanos) {
    return String.format(Locale.ROOT, "%,.1f", nanos / 1e3);
  }

  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%,.0f", nanos / 1e6);
  }

  static String ratio(long value, long peer) {
    return peer == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", (double) value / peer);
  }

  static String mib(long kib) {
    return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
