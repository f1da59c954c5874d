package dev.tether.adapters.terminal;

import com.google.gson.JsonObject;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.JsonRpcClients;
import dev.tether.adapters.terminal.TerminalService.CreateParams;
import dev.tether.adapters.terminal.TerminalService.ExitStatus;
import dev.tether.adapters.terminal.TerminalService.IdParams;
import dev.tether.adapters.terminal.TerminalService.ResizeParams;
import dev.tether.adapters.terminal.TerminalService.SignalParams;
import dev.tether.adapters.terminal.TerminalService.TerminalInfo;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The local half of remote terminals, for the CLI and custom clients: one {@code terminal} control
 * channel for requests, and an {@link Attachment} ({@code terminal.io} channel) per view of a terminal.
 * Closing the client or an attachment leaves the terminals running; they end with the session.
 *
 * <p>Thread-safe: requests may be made from any thread.
 */
public final class TerminalClient implements AutoCloseable {
  private final ChannelOpener opener;
  private final Channel control;
  private final JsonRpcClients.Connection<TerminalService> rpc;
  private final TerminalService service;

  private TerminalClient(ChannelOpener opener, Channel control) {
    this.opener = opener;
    this.control = control;
    this.rpc = JsonRpcClients.connect(control, TerminalService.class);
    this.service = rpc.remote();
  }

  /** Opens the control channel ({@code session::open}, or {@code DaemonClient.opener(spec)}). */
  public static TerminalClient open(ChannelOpener opener) throws IOException {
    return new TerminalClient(opener, opener.open(ChannelKinds.TERMINAL, ChannelFlavour.MESSAGES, ""));
  }

  /** Starts a process in a new PTY ({@code params.argv}, else {@code params.command} by the login shell, else the login shell). */
  public TerminalInfo create(CreateParams params) throws IOException {
    return rpc.await(service.create(params), "terminal/create");
  }

  public List<TerminalInfo> list() throws IOException {
    return rpc.await(service.list(), "terminal/list");
  }

  public TerminalInfo resize(String id, int cols, int rows) throws IOException {
    return rpc.await(service.resize(new ResizeParams(id, cols, rows)), "terminal/resize");
  }

  /** Signals the terminal's process group ({@code HUP}, {@code INT}, {@code TERM}, {@code KILL}, ...). */
  public TerminalInfo kill(String id, String signal) throws IOException {
    return rpc.await(service.kill(new SignalParams(id, signal)), "terminal/kill");
  }

  /** Completes with the exit status (128 + N for signal N) once the process ended and its output was delivered. */
  public CompletableFuture<Integer> exit(String id) {
    return rpc.guard(service.waitFor(new IdParams(id))).thenApply(status -> status.exitCode);
  }

  /** Waits for {@link #exit}; the agent's refusal or a lost channel become an IOException. */
  public int awaitExit(String id) throws IOException {
    ExitStatus status = rpc.await(service.waitFor(new IdParams(id)), "terminal/wait");
    return status.exitCode;
  }

  /** Attaches to a terminal: its recent output first (scrollback), then live output; input goes to the PTY. */
  public Attachment attach(String id) throws IOException {
    JsonObject metadata = new JsonObject();
    metadata.addProperty("id", id);
    return new Attachment(id, opener.open(ChannelKinds.TERMINAL_IO, ChannelFlavour.BYTES, metadata.toString()));
  }

  /** Closes the control channel; terminals keep running. */
  @Override
  public void close() {
    control.close();
  }

  /** One view of a terminal: read its output, write its input; closing detaches. */
  public static final class Attachment implements AutoCloseable {
    private final String id;
    private final Channel channel;

    Attachment(String id, Channel channel) {
      this.id = id;
      this.channel = channel;
    }

    public String id() {
      return id;
    }

    /** The terminal's output: scrollback replay, then live; end of stream when the process exited. */
    public InputStream output() {
      return channel.inputStream();
    }

    /** Bytes typed into the terminal (Ctrl-C is byte 3: the PTY turns it into SIGINT). */
    public OutputStream input() {
      return channel.outputStream();
    }

    public Channel channel() {
      return channel;
    }

    /** Detaches; the terminal keeps running and can be attached again. */
    @Override
    public void close() {
      channel.close();
    }
  }
}
