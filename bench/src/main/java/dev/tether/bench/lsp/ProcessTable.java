package dev.tether.bench.lsp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every process the benchmark starts, so that each is ended by its pid (with its descendants) however
 * the run ends; and the {@code /proc} look-ups the benchmark needs (command lines, resident memory).
 */
final class ProcessTable implements AutoCloseable {
  private final List<Process> started = new CopyOnWriteArrayList<>();

  Process start(ProcessBuilder builder) throws IOException {
    Process process = builder.start();
    started.add(process);
    return process;
  }

  /** Ends every process started here that is still running. */
  @Override
  public void close() {
    for (Process process : started) {
      if (process.isAlive()) {
        endTree(process.toHandle());
      }
    }
  }

  /** Ends a process and its descendants by pid: TERM, then KILL for whatever is left after 5 s. */
  static void endTree(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(root);
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
  }

  static boolean awaitExit(ProcessHandle process, long millis) {
    try {
      process.onExit().get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return !process.isAlive();
    }
  }

  /** The full command line, arguments separated by spaces; empty if the process is gone. */
  static String commandLine(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"), StandardCharsets.UTF_8)
          .replace('\0', ' ').strip();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Resident memory of a process, in KiB: the total and its anonymous (heap, code, metadata) and file-backed parts. */
  record Rss(long totalKib, long anonKib, long fileKib) {
  }

  /** {@code VmRSS}, {@code RssAnon} and {@code RssFile} from {@code /proc/PID/status}; empty if the process is gone. */
  static Optional<Rss> rss(long pid) {
    try {
      long total = -1;
      long anon = -1;
      long file = -1;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        long kib = line.matches("(VmRSS|RssAnon|RssFile):.*") ? Long.parseLong(line.replaceAll("[^0-9]", "")) : -1;
        if (line.startsWith("VmRSS:")) {
          total = kib;
        } else if (line.startsWith("RssAnon:")) {
          anon = kib;
        } else if (line.startsWith("RssFile:")) {
          file = kib;
        }
      }
      return total < 0 ? Optional.empty() : Optional.of(new Rss(total, anon, file));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Context switches and CPU time of a set of processes, summed over every thread. */
  record Activity(long contextSwitches, long cpuTicks) {
    Activity minus(Activity before) {
      return new Activity(contextSwitches - before.contextSwitches, cpuTicks - before.cpuTicks);
    }
  }

  /**
   * The {@code roots} and their descendants, every thread: voluntary and involuntary context switches
   * ({@code /proc/PID/task/TID/status}) and user + system CPU time in clock ticks ({@code .../stat}).
   * Threads that end between two readings take their counts with them: a lower bound.
   */
  static Activity activity(List<ProcessHandle> roots) {
    java.util.Set<Long> pids = new java.util.TreeSet<>();
    for (ProcessHandle root : roots) {
      pids.add(root.pid());
      root.descendants().forEach(p -> pids.add(p.pid()));
    }
    return activityOf(pids);
  }

  /** As {@link #activity}, for exactly these processes. */
  static Activity activityOf(java.util.Collection<Long> pids) {
    long switches = 0;
    long ticks = 0;
    for (long pid : pids) {
      try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            for (String line : Files.readAllLines(task.resolve("status"))) {
              if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                switches += Long.parseLong(line.replaceAll("[^0-9]", ""));
              }
            }
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
          } catch (IOException | RuntimeException e) {
            // the thread ended meanwhile
          }
        }
      } catch (IOException | RuntimeException e) {
        // the process ended meanwhile
      }
    }
    return new Activity(switches, ticks);
  }
}
