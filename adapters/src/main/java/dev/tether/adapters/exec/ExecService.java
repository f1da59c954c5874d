package dev.tether.adapters.exec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

/**
 * The agent's {@code exec} control channel: JSON-RPC 2.0 over a message channel. The process's stdin,
 * stdout and stderr travel on {@code exec.io} byte channels, one per stream, so each has its own flow
 * control and end of stream. Processes end when the control channel that started them closes.
 * Documented in docs/TERMINALS.md.
 */
public interface ExecService {
  /** Starts a process with pipes (no PTY), in its own process group. */
  @JsonRequest("exec/start")
  CompletableFuture<ProcessInfo> start(StartParams params);

  /** Sends a signal (INT, TERM, HUP, QUIT, KILL, ...) to the process's group. */
  @JsonRequest("exec/signal")
  CompletableFuture<ProcessInfo> signal(SignalParams params);

  /** Answers once the process exited and its stdout and stderr were delivered to their ends. */
  @JsonRequest("exec/wait")
  CompletableFuture<ExitStatus> waitFor(IdParams params);

  /**
   * {@code exec/start}: {@code argv} exactly, else {@code command} run by the login shell
   * ({@code $SHELL -c}, like {@code ssh host command}), else the login shell reading commands from stdin.
   */
  final class StartParams {
    public List<String> argv;
    public String command;
    public String cwd;
    public Map<String, String> env;
  }

  /** A started process. */
  final class ProcessInfo {
    public String id;
    public long pid;
    public List<String> command;
    public boolean alive;
  }

  /** {@code exec/signal}: a signal name without the SIG prefix. */
  final class SignalParams {
    public String id;
    public String signal = "INT";

    public SignalParams() {}

    public SignalParams(String id, String signal) {
      this.id = id;
      this.signal = signal;
    }
  }

  /** Names one process. */
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
