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

  /** Ends the {@code tether-remote daemon} processes started at or after {@code since}, by pid. */
  public static void endAgentDaemonsStartedSince(java.time.Instant since) {
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("dev.tether.remote.TetherRemote daemon ")).orElse(false))
        .filter(p -> !p.info().startInstant().orElse(java.time.Instant.EPOCH).isBefore(since.minusSeconds(1)))
        .forEach(TestProcesses::endTree);
  }
}
