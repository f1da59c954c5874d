package dev.tether.adapters.exec.remote;

import dev.tether.adapters.exec.ExecService.ProcessInfo;
import dev.tether.adapters.process.ProcessGroup;
import dev.tether.mux.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process started by {@code exec/start}, with its three pipes. Each pipe is served once, by the
 * {@code exec.io} channel that attaches to it: until stdout or stderr is attached, the process's
 * output waits in its pipe (a process that fills the pipe blocks, exactly as it would on a slow reader).
 *
 * <p>Threading: each attached stream has its own copying thread; the futures carry the rest.
 */
final class HostProcess {
  private static final Logger LOG = LoggerFactory.getLogger(HostProcess.class);

  private final String id;
  private final Process process;
  private final ProcessGroup group;
  private final List<String> command;
  private final CompletableFuture<Void> stdoutDone = new CompletableFuture<>();
  private final CompletableFuture<Void> stderrDone = new CompletableFuture<>();
  private final java.util.Set<String> attached = java.util.concurrent.ConcurrentHashMap.newKeySet();

  HostProcess(String id, Process process, List<String> command) {
    this.id = id;
    this.process = process;
    this.group = ProcessGroup.started(process);
    this.command = command;
  }

  String id() {
    return id;
  }

  long pid() {
    return process.pid();
  }

  ProcessInfo info() {
    ProcessInfo info = new ProcessInfo();
    info.id = id;
    info.pid = process.pid();
    info.command = command;
    info.alive = process.isAlive();
    return info;
  }

  /** The exit status (128 + N for signal N), once stdout and stderr were delivered to their ends. */
  CompletableFuture<Integer> exit() {
    return CompletableFuture.allOf(stdoutDone, stderrDone).thenCompose(done -> process.onExit())
        .thenApply(Process::exitValue);
  }

  /** Claims {@code stream} for {@code channel}; false when it is not a stream name or already taken. */
  boolean claim(String stream) {
    return List.of("stdin", "stdout", "stderr").contains(stream) && attached.add(stream);
  }

  void serve(String stream, Channel channel) {
    Runnable pump = switch (stream) {
      case "stdin" -> () -> pumpStdin(channel);
      case "stdout" -> () -> pumpOutput(process.getInputStream(), channel, stdoutDone);
      default -> () -> pumpOutput(process.getErrorStream(), channel, stderrDone);
    };
    Thread thread = new Thread(pump, "exec " + id + " " + stream);
    thread.setDaemon(true);
    thread.start();
  }

  private void pumpStdin(Channel channel) {
    byte[] buffer = new byte[16 * 1024];
    try (OutputStream stdin = process.getOutputStream()) {
      int n;
      while ((n = channel.read(buffer, 0, buffer.length)) >= 0) {
        stdin.write(buffer, 0, n);
        stdin.flush();
      }
    } catch (IOException e) {
      // The process closed its stdin or exited, or the client went: either way stdin is over.
      LOG.debug("exec {}: stdin ended: {}", id, e.getMessage());
    }
    channel.close();
  }

  private void pumpOutput(InputStream from, Channel channel, CompletableFuture<Void> done) {
    byte[] buffer = new byte[32 * 1024];
    try {
      int n;
      while ((n = from.read(buffer)) >= 0) {
        channel.write(buffer, 0, n);
      }
      channel.halfClose();
    } catch (IOException e) {
      // The client stopped reading (e.g. `| head -1`): close the pipe so the process gets SIGPIPE, as under ssh.
      LOG.debug("exec {}: output ended early: {}", id, e.getMessage());
      channel.close();
    } finally {
      try {
        from.close();
      } catch (IOException ignored) {
        // Closing our end of a pipe cannot fail in a way that matters here.
      }
      done.complete(null);
    }
  }

  /** The client that started the process is gone: end its group, what it started included, even if it exited. */
  void end() {
    group.end(Duration.ofSeconds(2));
    for (CompletableFuture<Void> done : List.of(stdoutDone, stderrDone)) {
      done.complete(null);
    }
  }
}
