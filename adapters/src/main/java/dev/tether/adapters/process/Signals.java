package dev.tether.adapters.process;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Sends POSIX signals to processes or process groups. Java offers only TERM and KILL; the shell's
 * {@code kill} builtin exists on every host the agent runs on, so no native code is needed.
 */
public final class Signals {
  /** The names a client may send; anything else is refused with this list. */
  public static final Set<String> NAMES = Set.of("HUP", "INT", "QUIT", "KILL", "TERM", "USR1", "USR2", "CONT", "STOP",
      "TSTP", "WINCH", "ALRM", "PIPE");

  private Signals() {}

  /** {@code INT}, {@code SIGINT} or {@code sigint} become {@code INT}; unknown names throw. */
  public static String normalize(String name) {
    String upper = name == null ? "" : name.trim().toUpperCase(java.util.Locale.ROOT);
    if (upper.startsWith("SIG")) {
      upper = upper.substring(3);
    }
    if (!NAMES.contains(upper)) {
      throw new IllegalArgumentException("unknown signal '" + name + "'; use one of " + String.join(", ",
          NAMES.stream().sorted().toList()));
    }
    return upper;
  }

  /** Signals the process group led by {@code pid} (as a terminal's Ctrl-C does), else the process alone. */
  public static void toGroup(long pid, String signal) throws IOException {
    if (run(signal, "-" + pid) != 0 && run(signal, Long.toString(pid)) != 0) {
      throw new IOException("cannot send SIG" + signal + " to process " + pid + " (it may have exited)");
    }
  }

  private static int run(String signal, String target) throws IOException {
    Process kill = new ProcessBuilder(List.of("/bin/sh", "-c", "kill -s \"$0\" -- \"$1\" 2>/dev/null", signal, target))
        .redirectErrorStream(true).start();
    try {
      kill.getOutputStream().close();
      kill.getInputStream().readAllBytes();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        return -1;
      }
      return kill.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while signalling " + target);
    }
  }
}
