package dev.tether.local.cli;

import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshEnvironment;
import java.io.IOException;

/** How a command that reaches a host gets its daemon: started when absent, progress and prompts on our terminal. */
final class Daemons {
  private Daemons() {}

  /**
   * Connects to (or starts) the per-user daemon; its progress goes to stderr (bars on a terminal, else one
   * line per step), its notices to stderr as lines, and prompts to the terminal.
   */
  static DaemonClient connect() throws IOException {
    java.io.PrintStream stderr = System.err;
    DaemonClient daemon = DaemonClient.connect(DaemonPaths.fromEnvironment(), true, TerminalProgress.forStderr(stderr),
        Prompter.forEnvironment(SshEnvironment.system()));
    daemon.onNotice(line -> stderr.println("tether: " + line));
    return daemon;
  }
}
