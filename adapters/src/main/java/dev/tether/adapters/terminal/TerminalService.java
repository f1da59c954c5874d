package dev.tether.adapters.terminal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

/**
 * The agent's {@code terminal} control channel: JSON-RPC 2.0 over a message channel, one request per
 * terminal operation. A terminal's bytes travel on separate {@code terminal.io} byte channels (one per
 * attachment), so a terminal outlives any one attachment. Documented in docs/TERMINALS.md.
 */
public interface TerminalService {
  /** Starts a process in a new PTY; it lives until it exits, is killed, or the session ends. */
  @JsonRequest("terminal/create")
  CompletableFuture<TerminalInfo> create(CreateParams params);

  /** The session's terminals, running and recently exited. */
  @JsonRequest("terminal/list")
  CompletableFuture<List<TerminalInfo>> list();

  /** Sets the PTY's window size; the foreground process gets SIGWINCH. */
  @JsonRequest("terminal/resize")
  CompletableFuture<TerminalInfo> resize(ResizeParams params);

  /** Sends a signal (default HUP, as when a terminal window closes) to the terminal's process group. */
  @JsonRequest("terminal/kill")
  CompletableFuture<TerminalInfo> kill(SignalParams params);

  /** Answers once the process exited and its last output went to every attachment. */
  @JsonRequest("terminal/wait")
  CompletableFuture<ExitStatus> waitFor(IdParams params);

  /** {@code terminal/create}: {@code argv} exactly, else {@code command} run by the login shell, else the login shell. */
  final class CreateParams {
    public List<String> argv;
    public String command;
    public String cwd;
    public Map<String, String> env;
    public String term;
    public int cols = 80;
    public int rows = 24;
  }

  /** What the agent knows about one terminal. */
  final class TerminalInfo {
    public String id;
    public long pid;
    public List<String> command;
    public int cols;
    public int rows;
    public boolean alive;
    public Integer exitCode;
    public int attachments;

    @Override
    public String toString() {
      return id + " pid " + pid + " " + cols + "x" + rows + (alive ? " running" : " exited " + exitCode) + " " + command;
    }
  }

  /** {@code terminal/resize}. */
  final class ResizeParams {
    public String id;
    public int cols;
    public int rows;

    public ResizeParams() {}

    public ResizeParams(String id, int cols, int rows) {
      this.id = id;
      this.cols = cols;
      this.rows = rows;
    }
  }

  /** {@code terminal/kill}: a signal name without the SIG prefix (HUP, INT, TERM, KILL, ...). */
  final class SignalParams {
    public String id;
    public String signal = "HUP";

    public SignalParams() {}

    public SignalParams(String id, String signal) {
      this.id = id;
      this.signal = signal;
    }
  }

  /** Names one terminal. */
  final class IdParams {
    public String id;

    public IdParams() {}

    public IdParams(String id) {
      this.id = id;
    }
  }

  /** How a process ended: its exit status, or 128 + N when signal N ended it. */
  final class ExitStatus {
    public int exitCode;

    public ExitStatus() {}

    public ExitStatus(int exitCode) {
      this.exitCode = exitCode;
    }
  }
}
