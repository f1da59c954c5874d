package dev.tether.adapters.daemon;

import dev.tether.adapters.process.ProcessGroup;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One daemon per Unix socket, started on demand by whoever needs it: the local {@code tether daemon}
 * and the host's {@code tether-remote daemon} both work this way. Clients that find no daemon each
 * start one, so several may start at once (three editors opening together); a daemon serves only
 * while it holds an exclusive lock on a file beside the socket, so checking the socket and binding it
 * are one step, and the losers exit with {@link #ALREADY_RUNNING} while their starters wait for the
 * winner's socket.
 *
 * <p>Threading: thread-safe; {@link #start} blocks its caller until the socket answers.
 */
public final class SingleInstance {
  /** The exit status of a daemon that found another one serving its socket. */
  public static final int ALREADY_RUNNING = 3;
  private static final Duration POLL = Duration.ofMillis(50);

  private final String name;
  private final Path socket;
  private final Path lockFile;

  /** {@code name} (e.g. "tether daemon") is how messages call it. */
  public SingleInstance(String name, Path socket, Path lockFile) {
    this.name = name;
    this.socket = socket;
    this.lockFile = lockFile;
  }

  /** Whether a daemon answers on the socket (a connect that the daemon sees as a probe). */
  public boolean isRunning() {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The right to serve the socket, held until closed; null when another daemon holds it or answers.
   * The caller binds the socket (replacing a stale file) only while holding it.
   */
  public java.io.Closeable tryLock() throws IOException {
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null || isRunning()) {
      if (lock != null) {
        lock.release();
      }
      channel.close();
      return null;
    }
    return () -> {
      lock.release();
      channel.close();
    };
  }

  /**
   * Starts {@code command} detached from the caller (in its own session, so that the caller's
   * terminal or SSH connection hanging up does not reach it), its stdin from /dev/null and its
   * output appended to {@code console}, and waits up to {@code timeout} for the socket to answer,
   * whichever daemon (this one or a concurrent winner) ends up serving it.
   *
   * @param environment variables set for the daemon on top of the caller's
   * @param logHint where a person looks when it fails (named in the message)
   */
  public void start(List<String> command, Map<String, String> environment, File console, Duration timeout,
      Path logHint) throws IOException {
    List<String> argv = new ArrayList<>(ProcessGroup.launcher());
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(console))
        .redirectError(ProcessBuilder.Redirect.appendTo(console));
    builder.environment().putAll(environment);
    Process process = builder.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isRunning()) {
      // One that lost the race to another daemon exits with ALREADY_RUNNING: the winner is binding.
      if (!process.isAlive() && !isRunning() && process.exitValue() != ALREADY_RUNNING) {
        throw new IOException("the " + name + " exited at start (status " + process.exitValue() + "); see " + logHint);
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("the " + name + " did not start within " + timeout.toSeconds() + " s; see " + logHint);
      }
      try {
        Thread.sleep(POLL.toMillis()); // waiting on another process's socket: no event tells us it bound
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the " + name + " to start");
      }
    }
  }
}
