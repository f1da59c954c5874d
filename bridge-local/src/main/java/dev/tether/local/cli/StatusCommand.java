package dev.tether.local.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.ssh.Prompter;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tether status}: the daemon's sessions with their channels, bytes and round-trip time. */
@Command(name = "status", description = "List the daemon's sessions: destination, state, channels, bytes, RTT.")
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DaemonPaths paths = DaemonPaths.fromEnvironment();
    if (!DaemonClient.isRunning(paths)) {
      out.println("tether daemon: not running (no sessions)");
      return 0;
    }
    try (DaemonClient daemon = DaemonClient.connect(paths, false, line -> { }, Prompter.unavailable())) {
      print(daemon.control("status"), out);
    }
    return 0;
  }

  static void print(JsonObject status, PrintWriter out) {
    out.printf("tether daemon %s, pid %s, since %s, %s command(s) connected, %s handed over (%s running)%n",
        status.get("version").getAsString(), status.get("pid").getAsString(), status.get("since").getAsString(),
        status.get("commands").getAsString(), status.get("handedOver").getAsString(),
        status.get("handedOverRunning").getAsString());
    if (status.getAsJsonArray("sessions").isEmpty()) {
      out.println("no sessions");
      return;
    }
    out.printf("%-28s %-9s %8s %12s %12s %8s  %s%n", "DESTINATION", "STATE", "CHANNELS", "BYTES IN", "BYTES OUT", "RTT", "AGENT");
    for (JsonElement element : status.getAsJsonArray("sessions")) {
      JsonObject s = element.getAsJsonObject();
      double rtt = s.get("rttMillis").getAsDouble();
      out.printf("%-28s %-9s %8d %12d %12d %8s  %s (pid %s)%n", s.get("destination").getAsString(),
          s.get("state").getAsString(), s.get("channels").getAsInt(), s.get("bytesIn").getAsLong(),
          s.get("bytesOut").getAsLong(), rtt < 0 ? "-" : String.format("%.1fms", rtt),
          s.get("agent").getAsString(), s.get("agentPid").getAsString());
    }
  }
}
