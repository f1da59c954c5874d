package dev.tether.adapters.exec;

import com.google.gson.JsonObject;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.JsonRpcClients;
import dev.tether.adapters.exec.ExecService.IdParams;
import dev.tether.adapters.exec.ExecService.ProcessInfo;
import dev.tether.adapters.exec.ExecService.SignalParams;
import dev.tether.adapters.exec.ExecService.StartParams;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * The local half of remote processes, for the CLI and custom clients: one {@code exec} control
 * channel; each {@link #start} opens the process's stdin, stdout and stderr as {@code exec.io} byte
 * channels. Closing the client ends every process it started (the agent kills their trees).
 *
 * <p>Thread-safe.
 */
public final class ExecClient implements AutoCloseable {
  private final ChannelOpener opener;
  private final Channel control;
  private final JsonRpcClients.Connection<ExecService> rpc;
  private final ExecService service;

  private ExecClient(ChannelOpener opener, Channel control) {
    this.opener = opener;
    this.control = control;
    this.rpc = JsonRpcClients.connect(control, ExecService.class);
    this.service = rpc.remote();
  }

  /** Opens the control channel ({@code session::open}, or {@code DaemonClient.opener(spec)}). */
  public static ExecClient open(ChannelOpener opener) throws IOException {
    return new ExecClient(opener, opener.open(ChannelKinds.EXEC, ChannelFlavour.MESSAGES, ""));
  }

  /** Runs {@code command} with the login shell ({@code $SHELL -c}), as {@code ssh host command} does. */
  public ExecProcess shell(String command) throws IOException {
    StartParams params = new StartParams();
    params.command = command;
    return start(params);
  }

  /** Starts a process and opens its three streams. */
  public ExecProcess start(StartParams params) throws IOException {
    ProcessInfo info = rpc.await(service.start(params), "exec/start");
    return new ExecProcess(info, stream(info.id, "stdin"), stream(info.id, "stdout"), stream(info.id, "stderr"));
  }

  private Channel stream(String id, String stream) throws IOException {
    JsonObject metadata = new JsonObject();
    metadata.addProperty("id", id);
    metadata.addProperty("stream", stream);
    return opener.open(ChannelKinds.EXEC_IO, ChannelFlavour.BYTES, metadata.toString());
  }

  /** Ends every process started here. */
  @Override
  public void close() {
    control.close();
  }

  /** A process running on the host. */
  public final class ExecProcess {
    private final ProcessInfo info;
    private final Channel stdin;
    private final Channel stdout;
    private final Channel stderr;

    ExecProcess(ProcessInfo info, Channel stdin, Channel stdout, Channel stderr) {
      this.info = info;
      this.stdin = stdin;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    public String id() {
      return info.id;
    }

    /** The process's pid on the host. */
    public long pid() {
      return info.pid;
    }

    /** The process's stdin; {@code close()} is its end of file. */
    public OutputStream stdin() {
      return stdin.outputStream();
    }

    /** Sends end of file on stdin. */
    public void closeStdin() throws IOException {
      stdin.halfClose();
    }

    public InputStream stdout() {
      return stdout.inputStream();
    }

    public InputStream stderr() {
      return stderr.inputStream();
    }

    /**
     * Stops reading stdout (e.g. our own stdout was closed, as in {@code | head -1}): the host closes the
     * pipe, so the process gets SIGPIPE on its next write, as it would under ssh.
     */
    public void discardStdout() {
      stdout.reset(ErrorCode.CANCELLED, "the reader of stdout went away");
    }

    public void discardStderr() {
      stderr.reset(ErrorCode.CANCELLED, "the reader of stderr went away");
    }

    /** Sends a signal (INT, TERM, HUP, QUIT, KILL, ...) to the process's group, as a terminal's Ctrl-C would. */
    public void signal(String signal) throws IOException {
      rpc.await(service.signal(new SignalParams(info.id, signal)), "exec/signal");
    }

    /** Completes with the exit status (128 + N for signal N) after stdout and stderr reached their ends. */
    public CompletableFuture<Integer> exit() {
      return rpc.guard(service.waitFor(new IdParams(info.id))).thenApply(status -> status.exitCode);
    }

    public int waitFor() throws IOException {
      return rpc.await(service.waitFor(new IdParams(info.id)), "exec/wait").exitCode;
    }
  }
}
