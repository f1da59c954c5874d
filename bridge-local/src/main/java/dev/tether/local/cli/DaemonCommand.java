package dev.tether.local.cli;

import dev.tether.local.connect.AgentJar;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.daemon.Daemon;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.mux.SessionClosedException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tether daemon start|stop|status|run}. Commands start the daemon on demand; these manage it. */
@Command(name = "daemon", description = "Manage the per-user daemon that holds one session per host: start, stop, status.")
final class DaemonCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ACTION", description = "start, stop, status (run: stay in the foreground)")
  String action;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DaemonPaths paths = DaemonPaths.fromEnvironment();
    switch (action) {
      case "run" -> {
        Duration idle = Duration.ofSeconds(Long.parseLong(System.getProperty("tether.daemon.idle", "1800")));
        try {
          new Daemon(paths, new AgentLauncher(AgentJar.locate(), SshEnvironment.system().withConsole(false)), idle,
              new HandOvers()).run();
        } catch (Daemon.AlreadyRunning e) {
          spec.commandLine().getErr().println("tether: " + e.getMessage());
          return Daemon.ALREADY_RUNNING;
        }
        return 0;
      }
      case "start" -> {
        try (DaemonClient daemon = DaemonClient.connect(paths, true, line -> { }, Prompter.unavailable())) {
          out.println("tether daemon running, pid " + daemon.control("status").get("pid").getAsString());
        }
        return 0;
      }
      case "stop" -> {
        return stop(paths, out);
      }
      case "status" -> {
        if (!DaemonClient.isRunning(paths)) {
          out.println("tether daemon: not running");
          return 3; // like systemctl/LSB status: 3 = not running
        }
        try (DaemonClient daemon = DaemonClient.connect(paths, false, line -> { }, Prompter.unavailable())) {
          StatusCommand.print(daemon.control("status"), out);
        }
        return 0;
      }
      default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "unknown action '" + action + "': use start, stop or status");
    }
  }

  private static int stop(DaemonPaths paths, PrintWriter out) throws Exception {
    if (!DaemonClient.isRunning(paths)) {
      out.println("tether daemon: not running");
      return 0;
    }
    long pid = Files.exists(paths.pidFile()) ? Long.parseLong(Files.readString(paths.pidFile()).strip()) : -1;
    try (DaemonClient daemon = DaemonClient.connect(paths, false, line -> { }, Prompter.unavailable())) {
      daemon.control("stop");
    } catch (SessionClosedException stopping) {
      // The daemon closes every session as it stops, ours included, and may do so before we have read
      // its answer (a closed session drops what was not read yet). It is stopping as asked; the pid tells.
      if (pid <= 0) {
        throw stopping;
      }
    }
    if (pid > 0) {
      ProcessHandle.of(pid).ifPresent(handle -> {
        try {
          handle.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          handle.destroyForcibly();
        }
      });
    }
    out.println("tether daemon stopped");
    return 0;
  }
}
