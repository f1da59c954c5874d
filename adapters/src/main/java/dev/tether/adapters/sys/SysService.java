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

  /**
   * The catalog's language servers and debug adapters (built-in and the host user's file) and
   * whether the agent finds each one's program: what {@code tether doctor} reports.
   */
  @JsonRequest("sys/servers")
  CompletableFuture<List<ServerPresence>> servers();

  /**
   * Closes those of the named sessions that are detached (no connection): a local daemon that died
   * without closing them (SIGKILL, a crash) left them, and its successor, which finds their ids in
   * its runtime directory, says so. Without it they would wait out their resume window, their
   * language servers and terminals running, for a resume that nobody can make. Returns how many
   * were closed.
   */
  @JsonRequest("sys/abandon")
  CompletableFuture<Integer> abandon(AbandonRequest request);

  /** Parameters of {@code sys/abandon}: session ids, as {@code Session.id()} spells them. */
  final class AbandonRequest {
    public List<String> sessions = List.of();

    public AbandonRequest() {}

    public AbandonRequest(List<String> sessions) {
      this.sessions = sessions;
    }
  }

  /** One catalog entry as found on the host: {@code path} is null when its program is not on the PATH. */
  final class ServerPresence {
    public String name;
    public String kind;
    public List<String> command;
    public String path;

    public ServerPresence() {}

    public ServerPresence(String name, String kind, List<String> command, String path) {
      this.name = name;
      this.kind = kind;
      this.command = command;
      this.path = path;
    }
  }

  /** Parameters of {@code sys/log}. */
  final class LogRequest {
    public int lines = 100;

    public LogRequest() {}

    public LogRequest(int lines) {
      this.lines = lines;
    }
  }
}
