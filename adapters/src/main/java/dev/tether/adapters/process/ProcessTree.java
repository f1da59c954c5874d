package dev.tether.adapters.process;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ends a process and everything it started, politely first. */
public final class ProcessTree {
  private ProcessTree() {}

  /**
   * Sends SIGTERM to the process and its descendants, waits up to {@code grace}, then SIGKILLs whatever
   * is left. Descendants are collected first, since they are re-parented once the root dies.
   */
  public static void kill(ProcessHandle root, Duration grace) {
    List<ProcessHandle> all = new java.util.ArrayList<>(root.descendants().toList());
    all.add(root);
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle handle : all) {
      long left = deadline - System.nanoTime();
      try {
        handle.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (Exception stillRunning) {
        handle.destroyForcibly();
      }
    }
  }
}
