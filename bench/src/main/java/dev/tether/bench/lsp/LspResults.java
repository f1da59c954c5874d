package dev.tether.bench.lsp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/** What one run measured, by path name. */
final class LspResults {
  static final String DIRECT = "direct stdio";
  static final String SSH = "ssh host server";
  static final String TETHER = "tether lsp";
  static final String TETHER_LOCAL = "tether lsp local (diagnostic: no SSH, agent as the daemon's child)";
  static final String COLD = "tether lsp, cold (no daemon)";
  static final String WARM = "tether lsp, warm (daemon holds the session)";
  static final String WARM_CDS = "tether lsp, warm, CLI with an AppCDS archive";
  static final String LOCAL_WARM = "tether lsp local, warm (diagnostic: no SSH)";
  static final String CLI_VERSION_CDS = "tether --version with the AppCDS archive";
  static final String SSH_TRUE = "ssh host true (connection set-up alone)";
  static final String CLI_VERSION = "tether --version (CLI JVM start alone)";
  static final String CLI_STATUS = "tether status (CLI start + one daemon request)";

  final Map<String, Samples> roundTrips = new LinkedHashMap<>();
  final Map<String, Samples> starts = new LinkedHashMap<>();
  OptionalLong cliRssKib = OptionalLong.empty();
  OptionalLong daemonBusyRssKib = OptionalLong.empty();
  OptionalLong agentBusyRssKib = OptionalLong.empty();
  OptionalLong daemonIdleRssKib = OptionalLong.empty();
  OptionalLong agentIdleRssKib = OptionalLong.empty();
  int agentCount;
  /** SSH connections sshd accepted during the warm starts: 0 when they really reused the session. */
  int warmSshConnections;

  void addRoundTrip(String path, long nanos) {
    roundTrips.computeIfAbsent(path, k -> new Samples()).add(nanos);
  }

  void addStart(String path, long nanos) {
    starts.computeIfAbsent(path, k -> new Samples()).add(nanos);
  }
}
