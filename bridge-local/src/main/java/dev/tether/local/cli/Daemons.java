package dev.tether.local.cli;

import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshEnvironment;
import java.io.IOException;

/** How a command that reaches a host gets its daemon: started when absent, progress and prompts on our terminal. */
final class Daemons {
  private Daemons() {}

  /** Connects to (or starts) the per-user daemon; its progress lines and prompts go to stderr / the terminal. */
  static DaemonClient connect() throws IOException {
    java.io.PrintStream stderr = System.err;
    return DaemonClient.connect(DaemonPaths.fromEnvironment(), true, line -> stderr.println("tether: " + line),
        Prompter.forEnvironment(SshEnvironment.system()));
  }
}
