package dev.tether.adapters.lsp.remote;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.tether.adapters.catalog.CatalogException;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.lsp.internal.MessagePeek;
import dev.tether.adapters.process.ProcessGroup;
import dev.tether.adapters.process.StderrLog;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote half of the LSP adapter: spawns a language server next to the code and joins its stdio
 * to an {@code lsp} message channel. Messages pass through as the same bytes, except that
 * {@code initialize}'s processId becomes the agent's own pid (the editor's pid means nothing on this
 * host, and servers watch that pid to exit when their client dies).
 *
 * <p>When the channel ends without the editor having sent {@code shutdown} and {@code exit}, this
 * side sends them, waits {@link #EXIT_GRACE}, then kills the whole process tree. The server's stderr
 * goes to the agent log, never into the protocol.
 *
 * <p>Threading: one thread per direction plus one for stderr, all daemon threads.
 */
public final class LanguageServerHost {
  /** How long a server may take to exit after {@code exit} before its process tree is killed. */
  public static final Duration EXIT_GRACE = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(LanguageServerHost.class);
  private static final Logger SERVER_LOG = LoggerFactory.getLogger("dev.tether.server-stderr");
  private static final Gson GSON = new Gson();

  /** What the opener asks for: a catalog name or an explicit command, with cwd and environment. */
  static final class Request {
    String server;
    List<String> command;
    String cwd;
    Map<String, String> env;
  }

  private final ServerCatalog catalog;
  private final int maxMessageSize;
  private final java.util.Set<Running> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public LanguageServerHost(ServerCatalog catalog, int maxMessageSize) {
    this.catalog = catalog;
    this.maxMessageSize = maxMessageSize;
  }

  /** Handles one {@code lsp} OPEN: spawns the server and accepts, or rejects with the reason. */
  public void open(OpenRequest request) throws MuxException {
    Request wanted;
    List<String> command;
    try {
      wanted = parse(request.metadata());
      command = resolve(wanted);
    } catch (CatalogException | IllegalArgumentException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, e.getMessage());
      return;
    }
    Process process;
    try {
      process = start(command, wanted);
    } catch (IOException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "cannot start language server " + String.join(" ", command)
          + " on the host: " + rootMessage(e) + " (is it installed there and on the agent's PATH?)");
      return;
    }
    JsonObject answer = new JsonObject();
    answer.addProperty("pid", process.pid());
    answer.add("command", GSON.toJsonTree(command));
    Channel channel;
    try {
      channel = request.accept(answer.toString());
    } catch (MuxException e) {
      ProcessGroup.started(process).end(Duration.ZERO);
      throw e;
    }
    // Logs name the program only: its arguments and environment may hold secrets (DEBUG shows them).
    LOG.debug("{} (pid {}): argv {}", programName(command), process.pid(), command);
    Running server = new Running(channel, process, programName(command));
    running.add(server);
    server.start();
  }

  /** Servers still running (for status and for a clean agent exit). */
  public int runningCount() {
    return running.size();
  }

  /** Waits until every server has gone through its stop sequence, or the timeout passes. */
  public void awaitAllStopped(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (running) {
      while (!running.isEmpty() && System.nanoTime() < deadline) {
        running.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
    }
  }

  private static Request parse(String metadata) {
    Request wanted = metadata.isBlank() ? new Request() : GSON.fromJson(metadata, Request.class);
    if ((wanted.server == null) == (wanted.command == null || wanted.command.isEmpty())) {
      throw new IllegalArgumentException("an lsp channel needs exactly one of \"server\" (a catalog name) or \"command\"");
    }
    return wanted;
  }

  private List<String> resolve(Request wanted) {
    return wanted.command != null ? wanted.command : catalog.languageServer(wanted.server).command();
  }

  private static String programName(List<String> command) {
    String program = command.get(0);
    return program.substring(program.lastIndexOf('/') + 1);
  }

  /** In a process group (and session) of its own, so that it ends with everything it started. */
  private static Process start(List<String> command, Request wanted) throws IOException {
    return ProcessGroup.start(command, wanted.cwd, wanted.env);
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  /** One live server and its three pumps. */
  private final class Running {
    private final Channel channel;
    private final Process process;
    private final ProcessGroup group;
    private final String name;
    private final StderrLog stderr;
    private volatile boolean shutdownSent;
    private volatile boolean exitSent;
    private boolean initializeSeen;

    Running(Channel channel, Process process, String name) {
      this.channel = channel;
      this.process = process;
      this.name = name + " (pid " + process.pid() + ")";
      this.stderr = new StderrLog(SERVER_LOG, this.name);
      this.group = ProcessGroup.started(process);
    }

    void start() {
      daemon("lsp-in-" + process.pid(), this::editorToServer);
      daemon("lsp-out-" + process.pid(), this::serverToEditor);
      daemon("lsp-err-" + process.pid(), this::stderrToLog);
      // A child the server left behind holds its stdout open: without this, a server that dies
      // (kill -9, a crash) would never reach end of stream, and the editor would never be told.
      process.onExit().thenRun(() -> daemon("lsp-end-" + process.pid(), () -> group.end(Duration.ofSeconds(1))));
    }

    private void editorToServer() {
      OutputStream stdin = process.getOutputStream();
      try {
        byte[] message;
        while ((message = channel.readMessage()) != null) {
          BaseProtocol.write(stdin, observe(message));
        }
        LOG.info("{}: editor side closed", name);
      } catch (IOException e) {
        LOG.info("{}: editor side ended: {}", name, e.getMessage());
      }
      stop(stdin);
    }

    /** Notes shutdown/exit, and gives initialize the agent's pid; every other message is untouched. */
    private byte[] observe(byte[] message) {
      MessagePeek.Peek peek = MessagePeek.peek(message);
      String method = peek == null ? null : peek.method();
      if ("shutdown".equals(method)) {
        shutdownSent = true;
      } else if ("exit".equals(method)) {
        exitSent = true;
      } else if ("initialize".equals(method) && !initializeSeen) {
        initializeSeen = true;
        return withAgentPid(message);
      }
      return message;
    }

    private byte[] withAgentPid(byte[] message) {
      JsonObject object = JsonParser.parseString(new String(message, StandardCharsets.UTF_8)).getAsJsonObject();
      JsonElement params = object.get("params");
      if (params == null || !params.isJsonObject()) {
        return message;
      }
      params.getAsJsonObject().add("processId", new JsonPrimitive(ProcessHandle.current().pid()));
      return object.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void serverToEditor() {
      BaseProtocol.Reader reader = new BaseProtocol.Reader(process.getInputStream(), maxMessageSize);
      try {
        byte[] message;
        while ((message = reader.read()) != null) {
          channel.writeMessage(message);
        }
        int status = process.waitFor();
        if (status == 0 || exitSent) {
          channel.halfClose();
        } else {
          channel.reset(ErrorCode.SERVICE_ERROR, name + " exited with status " + status + lastStderr());
        }
      } catch (IOException e) {
        String why = e.getMessage();
        if (process.isAlive()) {
          channel.reset(ErrorCode.SERVICE_ERROR, name + " sent invalid LSP output: " + why);
          group.end(Duration.ofSeconds(1));
        } else {
          LOG.debug("{}: output ended: {}", name, why);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void stderrToLog() {
      stderr.pump(process.getErrorStream());
    }

    private String lastStderr() {
      return stderr.reason();
    }

    /** The editor is gone: finish the LSP exit handshake on its behalf, then make sure the tree ends. */
    private void stop(OutputStream stdin) {
      try {
        if (!exitSent && process.isAlive()) {
          if (!shutdownSent) {
            BaseProtocol.write(stdin, "{\"jsonrpc\":\"2.0\",\"id\":\"tether-shutdown\",\"method\":\"shutdown\",\"params\":null}"
                .getBytes(StandardCharsets.UTF_8));
          }
          BaseProtocol.write(stdin, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}".getBytes(StandardCharsets.UTF_8));
        }
        stdin.close();
      } catch (IOException alreadyExited) {
        // nothing left to tell
      }
      try {
        if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.info("{}: did not exit within {} s; killing its process group", name, EXIT_GRACE.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      group.end(Duration.ofSeconds(1)); // what it double-forked too
      channel.close();
      LOG.info("{}: ended", name);
      synchronized (running) {
        running.remove(this);
        running.notifyAll();
      }
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
