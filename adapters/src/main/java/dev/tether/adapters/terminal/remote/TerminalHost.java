package dev.tether.adapters.terminal.remote;

import dev.tether.adapters.JsonRpcServices;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import dev.tether.adapters.process.LoginShell;
import dev.tether.adapters.process.Signals;
import dev.tether.adapters.terminal.TerminalService;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Session;
import dev.tether.mux.Workers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * The agent's half of terminals: serves {@code terminal} control channels and {@code terminal.io}
 * attachments. Terminals belong to the session that created them: any channel of that session may
 * list, attach to or kill them, and they end with the session ({@link #sessionClosed}).
 */
public final class TerminalHost {
  private static final Logger LOG = LoggerFactory.getLogger(TerminalHost.class);
  /** Exited terminals kept (for their exit status and scrollback) per session, oldest dropped first. */
  private static final int EXITED_KEPT = 16;


  private final Map<Session, Map<String, PtyTerminal>> bySession = new ConcurrentHashMap<>();
  private final AtomicInteger serial = new AtomicInteger();

  /** {@code terminal}: a JSON-RPC control channel bound to the opener's session. */
  public void open(OpenRequest request) throws IOException {
    Session session = request.session();
    Channel channel = request.accept();
    JsonRpcServices.serve(channel, new Control(session));
  }

  /** {@code terminal.io} {"id"}: one attachment. */
  public void attach(OpenRequest request) throws IOException {
    String id;
    try {
      JsonObject metadata = JsonParser.parseString(request.metadata()).getAsJsonObject();
      id = metadata.get("id").getAsString();
    } catch (RuntimeException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "terminal.io needs metadata {\"id\": TERMINAL_ID}, got: " + request.metadata());
      return;
    }
    PtyTerminal terminal = terminals(request.session()).get(id);
    if (terminal == null) {
      request.reject(ErrorCode.SERVICE_ERROR, unknown(request.session(), id));
      return;
    }
    TerminalService.TerminalInfo info = terminal.info();
    JsonObject ok = new JsonObject();
    ok.addProperty("id", id);
    ok.addProperty("cols", info.cols);
    ok.addProperty("rows", info.rows);
    ok.addProperty("alive", info.alive);
    terminal.attach(request.accept(ok.toString()));
  }

  /** The session ended: so do its terminals. */
  public void sessionClosed(Session session) {
    Map<String, PtyTerminal> terminals = bySession.remove(session);
    if (terminals == null) {
      return;
    }
    List<PtyTerminal> all;
    synchronized (terminals) {
      all = new ArrayList<>(terminals.values());
    }
    for (PtyTerminal terminal : all) {
      Workers.shared().execute(terminal::end);
    }
  }

  private Map<String, PtyTerminal> terminals(Session session) {
    return bySession.computeIfAbsent(session, s -> java.util.Collections.synchronizedMap(new LinkedHashMap<>()));
  }

  private String unknown(Session session, String id) {
    List<String> ids;
    Map<String, PtyTerminal> terminals = terminals(session);
    synchronized (terminals) {
      ids = new ArrayList<>(terminals.keySet());
    }
    return "no terminal '" + id + "' in this session (it has " + (ids.isEmpty() ? "none" : String.join(", ", ids))
        + "); terminals end with the session that created them";
  }

  PtyTerminal create(Session session, TerminalService.CreateParams params) throws IOException {
    List<String> command = LoginShell.argv(params.argv, params.command);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("TERM", params.term == null || params.term.isBlank() ? "xterm-256color" : params.term);
    if (params.env != null) {
      env.putAll(params.env);
    }
    String cwd = params.cwd != null ? params.cwd : System.getProperty("user.home");
    int cols = params.cols > 0 ? params.cols : 80;
    int rows = params.rows > 0 ? params.rows : 24;
    PtyProcess process;
    try {
      LoginShell.requireProgram(command.get(0), env.get("PATH"));
      process = new PtyProcessBuilder(command.toArray(String[]::new))
          .setEnvironment(env)
          .setDirectory(cwd)
          .setInitialColumns(cols)
          .setInitialRows(rows)
          .start();
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot start " + command + " in a terminal in " + cwd + ": " + e.getMessage(), e);
    }
    PtyTerminal terminal = new PtyTerminal("t" + serial.incrementAndGet(), process, command, cols, rows);
    Map<String, PtyTerminal> terminals = terminals(session);
    synchronized (terminals) {
      terminals.put(terminal.id(), terminal);
    }
    terminal.exit().thenRun(() -> forgetOldExited(terminals));
    terminal.start();
    LOG.info("terminal {}: pid {}", terminal.id(), terminal.pid());
    LOG.debug("terminal {}: argv {}", terminal.id(), command); // may hold secrets: never at INFO
    return terminal;
  }

  private static void forgetOldExited(Map<String, PtyTerminal> terminals) {
    synchronized (terminals) {
      List<String> exited = terminals.values().stream().filter(t -> t.exit().isDone()).map(PtyTerminal::id).toList();
      for (int i = 0; i < exited.size() - EXITED_KEPT; i++) {
        terminals.remove(exited.get(i));
      }
    }
  }

  /** The JSON-RPC methods of one control channel. */
  private final class Control implements TerminalService {
    private final Session session;

    Control(Session session) {
      this.session = session;
    }

    @Override
    public CompletableFuture<TerminalInfo> create(CreateParams params) {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return TerminalHost.this.create(session, params == null ? new CreateParams() : params).info();
        } catch (IOException e) {
          throw failure(e.getMessage());
        }
      }, Workers.shared());
    }

    @Override
    public CompletableFuture<List<TerminalInfo>> list() {
      Map<String, PtyTerminal> terminals = terminals(session);
      synchronized (terminals) {
        return CompletableFuture.completedFuture(terminals.values().stream().map(PtyTerminal::info).toList());
      }
    }

    @Override
    public CompletableFuture<TerminalInfo> resize(ResizeParams params) {
      PtyTerminal terminal = find(params.id);
      try {
        terminal.resize(params.cols, params.rows);
      } catch (IllegalArgumentException e) {
        throw failure(e.getMessage());
      }
      return CompletableFuture.completedFuture(terminal.info());
    }

    @Override
    public CompletableFuture<TerminalInfo> kill(SignalParams params) {
      PtyTerminal terminal = find(params.id);
      return CompletableFuture.supplyAsync(() -> {
        try {
          String signal = Signals.normalize(params.signal == null ? "HUP" : params.signal);
          if (!terminal.exit().isDone()) {
            Signals.toGroup(terminal.pid(), signal);
          }
          return terminal.info();
        } catch (IllegalArgumentException | IOException e) {
          throw failure(e.getMessage());
        }
      }, Workers.shared());
    }

    @Override
    public CompletableFuture<ExitStatus> waitFor(IdParams params) {
      return find(params.id).exit().thenApply(ExitStatus::new);
    }

    private PtyTerminal find(String id) {
      PtyTerminal terminal = id == null ? null : terminals(session).get(id);
      if (terminal == null) {
        throw failure(unknown(session, id));
      }
      return terminal;
    }
  }

  static ResponseErrorException failure(String message) {
    return new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams, message, null));
  }
}
