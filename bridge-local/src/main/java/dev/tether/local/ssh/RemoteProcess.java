package dev.tether.local.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.channel.ChannelExec;

/**
 * A command running on the remote host: its stdin, stdout, stderr and exit status, like {@link Process}.
 *
 * <p>Threading: the three streams may each be used by one thread at a time, concurrently with each
 * other; closing {@link #stdin()} sends EOF. {@link #exitStatus()} completes on a MINA I/O thread when
 * the channel closes, so dependent stages should not block. Output is buffered up to the SSH window
 * only: drain stdout and stderr or the command stalls.
 */
public final class RemoteProcess implements AutoCloseable {
  private static final Map<String, Integer> SIGNALS = Map.ofEntries(
      Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
      Map.entry("ABRT", 6), Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10),
      Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14),
      Map.entry("TERM", 15));

  private final String command;
  private final ChannelExec channel;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  RemoteProcess(String command, ChannelExec channel) {
    this.command = command;
    this.channel = channel;
    channel.addCloseFutureListener(f -> settleExit());
  }

  public String command() {
    return command;
  }

  public OutputStream stdin() {
    return channel.getInvertedIn();
  }

  public InputStream stdout() {
    return channel.getInvertedOut();
  }

  public InputStream stderr() {
    return channel.getInvertedErr();
  }

  /**
   * Completes with the exit status when the channel closes; a command killed by a signal gives
   * 128 + signal number, as a shell reports it. Completes exceptionally with
   * {@link SshFailure.Kind#DISCONNECTED} if the connection ended without a status.
   */
  public CompletableFuture<Integer> exitStatus() {
    return exit;
  }

  /** Blocks until the command ends; see {@link #exitStatus()}. */
  public int waitFor(Duration timeout) {
    try {
      return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new SshFailure(SshFailure.Kind.TIMEOUT, "remote command '" + command + "' still running after "
          + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof SshFailure f ? f : new SshFailure(SshFailure.Kind.REMOTE, e.getCause().toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshFailure(SshFailure.Kind.REMOTE, "interrupted while waiting for '" + command + "'", e);
    }
  }

  /** Closes the channel; the server hangs up the command (sshd sends SIGHUP through the closed pipes). */
  @Override
  public void close() {
    try {
      channel.close(false).await(Duration.ofSeconds(5));
    } catch (IOException e) {
      channel.close(true);
    }
  }

  private void settleExit() {
    Integer status = channel.getExitStatus();
    if (status != null) {
      exit.complete(status);
      return;
    }
    String signal = channel.getExitSignal();
    if (signal != null) {
      exit.complete(128 + SIGNALS.getOrDefault(signal, 127));
      return;
    }
    exit.completeExceptionally(new SshFailure(SshFailure.Kind.DISCONNECTED,
        "remote command '" + command + "' ended without an exit status (connection lost?)"));
  }
}
