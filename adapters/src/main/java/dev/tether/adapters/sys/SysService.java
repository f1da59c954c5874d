package dev.tether.adapters.sys;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

/**
 * The agent's {@code sys} channel (JSON-RPC over a message channel). Documented in docs/SERVICES.md.
 */
public interface SysService {
  /** Agent and protocol version, capabilities and host facts; the local side checks for version skew. */
  @JsonRequest("sys/info")
  CompletableFuture<SysInfo> info();

  /** The last {@code lines} lines of the agent's log (including language servers' stderr). */
  @JsonRequest("sys/log")
  CompletableFuture<List<String>> log(LogRequest request);

  /** Parameters of {@code sys/log}. */
  final class LogRequest {
    public int lines = 100;

    public LogRequest() {}

    public LogRequest(int lines) {
      this.lines = lines;
    }
  }
}
