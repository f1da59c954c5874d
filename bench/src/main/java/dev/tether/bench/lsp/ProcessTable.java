package dev.tether.bench.lsp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
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

  /** {@code VmRSS} from {@code /proc/PID/status}, in KiB; empty if the process is gone. */
  static OptionalLong rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return OptionalLong.empty();
  }
}
