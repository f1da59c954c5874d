package dev.tether.adapters.exec.remote;

import dev.tether.adapters.JsonRpcServices;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.exec.ExecService;
import dev.tether.adapters.process.LoginShell;
import dev.tether.adapters.process.ProcessGroup;
import dev.tether.adapters.process.Signals;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Session;
import dev.tether.mux.Workers;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's half of processes: serves {@code exec} control channels and {@code exec.io} streams.
 * A process runs in a process group (and session) of its own, so SIGINT reaches the group as Ctrl-C
 * does; it belongs to the control channel that started it, and its whole group, double-forked
 * children included, is ended when that channel closes, so a vanished client never leaves processes
 * behind (a command meant to outlive it must leave the group: {@code setsid CMD}).
 */
public final class ExecHost {
  private static final Logger LOG = LoggerFactory.getLogger(ExecHost.class);

  private final Map<Session, Map<String, HostProcess>> bySession = new ConcurrentHashMap<>();
  private final AtomicInteger serial = new AtomicInteger();

  /** {@code exec}: a JSON-RPC control channel. */
  public void open(OpenRequest request) throws IOException {
    Session session = request.session();
    Channel channel = request.accept();
    List<HostProcess> mine = new java.util.concurrent.CopyOnWriteArrayList<>();
    JsonRpcServices.serve(channel, new Control(session, mine));
    channel.closeFuture().whenComplete((ignored, error) -> {
      for (HostProcess process : mine) {
        processes(session).remove(process.id());
        Workers.shared().execute(process::end);
      }
    });
  }

  /** {@code exec.io} {"id", "stream"}: one of a process's streams. */
  public void stream(OpenRequest request) throws IOException {
    String id;
    String stream;
    try {
      JsonObject metadata = JsonParser.parseString(request.metadata()).getAsJsonObject();
      id = metadata.get("id").getAsString();
      stream = metadata.get("stream").getAsString();
    } catch (RuntimeException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "exec.io needs metadata {\"id\": PROCESS_ID, \"stream\": "
          + "\"stdin\"|\"stdout\"|\"stderr\"}, got: " + request.metadata());
      return;
    }
    HostProcess process = processes(request.session()).get(id);
    if (process == null) {
      request.reject(ErrorCode.SERVICE_ERROR, "no process '" + id + "' in this session (it ended, or its exec channel closed)");
      return;
    }
    if (!process.claim(stream)) {
      request.reject(ErrorCode.SERVICE_ERROR, "stream '" + stream + "' of process " + id
          + " is already attached or is not one of stdin, stdout, stderr");
      return;
    }
    process.serve(stream, request.accept());
  }

  private Map<String, HostProcess> processes(Session session) {
    return bySession.computeIfAbsent(session, s -> new ConcurrentHashMap<>());
  }

  /** The session ended: forget its table (the control channels' ends already ended the processes). */
  public void sessionClosed(Session session) {
    Map<String, HostProcess> left = bySession.remove(session);
    if (left != null) {
      left.values().forEach(p -> Workers.shared().execute(p::end));
    }
  }

  private HostProcess start(Session session, ExecService.StartParams params) throws IOException {
    List<String> command = LoginShell.argv(params.argv, params.command);
    List<String> argv = new ArrayList<>(ProcessGroup.launcher());
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.directory(new File(params.cwd != null ? params.cwd : System.getProperty("user.home")));
    if (params.env != null) {
      builder.environment().putAll(params.env);
    }
    Process process;
    try {
      LoginShell.requireProgram(command.get(0), builder.environment().get("PATH"));
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("cannot start " + command + " in " + builder.directory() + ": " + e.getMessage(), e);
    }
    HostProcess hosted = new HostProcess("p" + serial.incrementAndGet(), process, command);
    processes(session).put(hosted.id(), hosted);
    // The argv and environment may hold secrets (mysql -pSECRET): never at INFO, which other tools collect.
    LOG.info("exec {}: pid {}", hosted.id(), hosted.pid());
    LOG.debug("exec {}: argv {}", hosted.id(), command);
    return hosted;
  }

  /** The JSON-RPC methods of one control channel. */
  private final class Control implements ExecService {
    private final Session session;
    private final List<HostProcess> mine;

    Control(Session session, List<HostProcess> mine) {
      this.session = session;
      this.mine = mine;
    }

    @Override
    public CompletableFuture<ProcessInfo> start(StartParams params) {
      return CompletableFuture.supplyAsync(() -> {
        try {
          HostProcess process = ExecHost.this.start(session, params == null ? new StartParams() : params);
          mine.add(process);
          return process.info();
        } catch (IOException e) {
          throw failure(e.getMessage());
        }
      }, Workers.shared());
    }

    @Override
    public CompletableFuture<ProcessInfo> signal(SignalParams params) {
      HostProcess process = find(params.id);
      return CompletableFuture.supplyAsync(() -> {
        try {
          Signals.toGroup(process.pid(), Signals.normalize(params.signal));
          return process.info();
        } catch (IllegalArgumentException | IOException e) {
          throw failure(e.getMessage());
        }
      }, Workers.shared());
    }

    @Override
    public CompletableFuture<ExitStatus> waitFor(IdParams params) {
      return find(params.id).exit().thenApply(ExitStatus::new);
    }

    private HostProcess find(String id) {
      HostProcess process = id == null ? null : processes(session).get(id);
      if (process == null) {
        throw failure("no process '" + id + "' in this session (it ended, or its exec channel closed)");
      }
      return process;
    }
  }

  static ResponseErrorException failure(String message) {
    return new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams, message, null));
  }
}
