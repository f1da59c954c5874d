package dev.tether.local.demo;

import dev.tether.local.daemon.DaemonPaths;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Undoes everything the demo set up: signals the {@code tether lsp} child and the daemon it started
 * (found by the pid file in the demo's own runtime directory, ended by that pid), closes the SSH
 * server, signals what the server ran for the "host" (the agent and the language server, which are
 * our descendants), waits for all of them (SIGKILL after {@link #GRACE}), then deletes the temp
 * directory. Runs once, at the end or from a shutdown hook (Ctrl-C), whichever comes first. A daemon
 * interrupted before it wrote its pid file ends itself when idle (the demo starts it with a short
 * idle timeout).
 */
final class Teardown implements AutoCloseable {
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 20;

  private final Path root;
  private final DaemonPaths daemon;
  private final AtomicBoolean done = new AtomicBoolean();
  private final Thread hook = new Thread(this::run, "tether-demo-teardown");
  private volatile TetherLspProcess lsp;
  private volatile LoopbackHost host;
  private volatile long daemonPid = -1;

  Teardown(Path root, DaemonPaths daemon) {
    this.root = root;
    this.daemon = daemon;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  void lsp(TetherLspProcess process) {
    this.lsp = process;
  }

  void host(LoopbackHost server) {
    this.host = server;
  }

  /** The pid of the daemon the demo started, if it did. */
  Optional<Long> daemonPid() {
    return daemonPid > 0 ? Optional.of(daemonPid) : Optional.empty();
  }

  @Override
  public void close() {
    run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing to remove
    }
  }

  private void run() {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    List<ProcessHandle> ending = new ArrayList<>();
    if (lsp != null) {
      lsp.handle().ifPresent(ending::add);
    }
    readPid().flatMap(ProcessHandle::of).ifPresent(daemonProcess -> {
      daemonPid = daemonProcess.pid();
      ending.add(daemonProcess);
    });
    ending.forEach(ProcessHandle::destroy);
    if (host != null) {
      host.close(); // its exec channels close, which ends their commands
    }
    // The agent and the language server ran as children of the embedded server's exec, so of this JVM.
    ProcessHandle.current().descendants().forEach(process -> {
      process.destroy();
      ending.add(process);
    });
    awaitOrKill(ending);
    deleteTree(root);
  }

  private Optional<Long> readPid() {
    try {
      return Optional.of(Long.parseLong(Files.readString(daemon.pidFile()).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty(); // no daemon was started, or it already removed its pid file
    }
  }

  /** After SIGTERM: a shared grace period, then SIGKILL for whatever still runs. */
  private static void awaitOrKill(List<ProcessHandle> processes) {
    long deadline = System.nanoTime() + GRACE.toNanos();
    for (ProcessHandle process : processes) {
      while (running(process) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(POLL_MILLIS); // another process's exit: polling is the simple honest way
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (running(process)) {
        process.destroyForcibly();
      }
    }
  }

  /**
   * Alive and not a zombie. The daemon is not our child (it outlives the command that started it), so
   * once it exits it waits for init to reap it, which can take seconds; it is done all the same.
   */
  private static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return process.isAlive(); // no /proc (not Linux), or it just went away
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("tether: could not remove all of " + dir + ": " + e.getMessage());
    }
  }
}
