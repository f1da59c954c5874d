package dev.tether.local.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short helper programs (ssh-keygen) for fixtures; fails loudly with their output. */
public final class TestProcesses {
  private TestProcesses() {
  }

  public static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " did not finish");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(command + " exited " + p.exitValue() + ": " + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /** Ends a process and all its descendants by pid, waiting for them to go. */
  public static void endTree(ProcessHandle root) {
    List<ProcessHandle> all = new java.util.ArrayList<>(root.descendants().toList());
    all.add(root);
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  /**
   * Ends, by pid, the {@code tether-remote daemon} processes that the sshd listening on {@code port}
   * started (a relay under it started each, so each inherited sshd's {@code SSH_CONNECTION}, which
   * names that port): never the agent daemons of other tests or other people on this machine, which
   * a test run alongside would otherwise kill mid-session.
   */
  public static void endAgentDaemonsOf(int port) {
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("dev.tether.remote.TetherRemote daemon ")).orElse(false))
        .filter(p -> sshServerPort(p) == port)
        .forEach(TestProcesses::endTree);
  }

  /** The server port in the process's {@code SSH_CONNECTION} ({@code CLIENT PORT SERVER PORT}); -1 without one. */
  public static int sshServerPort(ProcessHandle process) {
    try {
      String environ = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(process.pid()), "environ"));
      for (String entry : environ.split("\0")) {
        if (entry.startsWith("SSH_CONNECTION=")) {
          String[] fields = entry.substring("SSH_CONNECTION=".length()).trim().split(" ");
          return fields.length == 4 ? Integer.parseInt(fields[3]) : -1;
        }
      }
    } catch (IOException | RuntimeException gone) {
      // exited, or not ours to read
    }
    return -1;
  }
}
