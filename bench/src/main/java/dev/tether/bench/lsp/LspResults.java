package dev.tether.bench.lsp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What one run measured, by path name. */
final class LspResults {
  static final String DIRECT = "direct stdio";
  static final String SSH = "ssh host server";
  static final String TETHER = "tether lsp";
  static final String TETHER_LOCAL = "tether lsp local (diagnostic: no SSH, agent as the daemon's child)";
  static final String COLD = "tether lsp, cold (no daemon)";
  static final String WARM = "tether lsp, warm (java -jar, no archive; daemon holds the session)";
  static final String WARM_LAUNCHER = "./tether lsp, warm (the launcher, with its AppCDS archive)";
  static final String LAUNCHER_VERSION = "./tether --version (the launcher, with its AppCDS archive)";
  static final String SSH_TRUE = "ssh host true (connection set-up alone)";
  static final String CLI_VERSION = "tether --version (java -jar: CLI JVM start alone)";
  static final String CLI_STATUS = "tether status (CLI start + one daemon request)";
  static final String EXEC_WARM = "tether exec host true, warm (the launcher's JVM flags; daemon holds the session)";
  static final String SSH_MASTER_TRUE = "ssh host true through a ControlMaster";

  final Map<String, Samples> roundTrips = new LinkedHashMap<>();
  final Map<String, Samples> starts = new LinkedHashMap<>();
  /** Resident memory by moment and process, in the order measured. */
  final Map<String, Optional<ProcessTable.Rss>> memory = new LinkedHashMap<>();
  /** {@code jcmd PID GC.heap_info} of the idle daemon and agent. */
  final Map<String, String> heapInfo = new LinkedHashMap<>();
  Optional<ProcessTable.Rss> daemonIdle = Optional.empty();
  Optional<ProcessTable.Rss> agentIdle = Optional.empty();
  /** SSH connections sshd accepted during the warm starts: 0 when they really reused the session. */
  int warmSshConnections;
  /** Whether {@code ./tether} had made its class-data archive for the launcher rows. */
  boolean launcherArchive;

  void addRoundTrip(String path, long nanos) {
    roundTrips.computeIfAbsent(path, k -> new Samples()).add(nanos);
  }

  /** Context switches and CPU ticks of every process involved, and the round trips they served, per path. */
  final Map<String, long[]> activity = new LinkedHashMap<>();

  /** The same for the tether path, by process (CLI, daemon, sshd, agent, server). */
  final Map<String, long[]> tetherRoles = new LinkedHashMap<>();

  void addActivity(String path, ProcessTable.Activity a, int roundTrips) {
    addActivity(path, a, roundTrips, activity);
  }

  void addActivity(String path, ProcessTable.Activity a, int roundTrips, Map<String, long[]> into) {
    long[] sum = into.computeIfAbsent(path, k -> new long[3]);
    sum[0] += a.contextSwitches();
    sum[1] += a.cpuTicks();
    sum[2] += roundTrips;
  }

  void addStart(String path, long nanos) {
    starts.computeIfAbsent(path, k -> new Samples()).add(nanos);
  }
}
