package dev.tether.adapters.dap.remote;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.tether.adapters.catalog.CatalogException;
import dev.tether.adapters.catalog.DebugAdapter;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.dap.DapRewriter;
import dev.tether.adapters.process.ProcessGroup;
import dev.tether.adapters.process.StderrLog;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote half of {@code tether dap}: serves {@code dap} message channels, each joined to one debug
 * adapter on this host, started from the catalog ({@code "adapter"}), from an argv ({@code "command"}),
 * or reached where it listens ({@code "connect": {"host", "port"}}). Messages pass as the same bytes in
 * both directions; path rewriting happens where the client is.
 *
 * <p>An adapter that cannot start is a rejected OPEN whose reason names what is missing (the
 * package to install), so the client hears it at once. When the channel ends (the client quit or
 * died), a started adapter gets a {@code disconnect} with {@code terminateDebuggee}, then
 * {@link #EXIT_GRACE}, then its whole process tree (the debuggee included) is killed. A connected
 * adapter's socket is just closed: attach semantics, its debuggee belongs to whoever started it.
 *
 * <p>Threading: two daemon threads per adapter (one per direction) plus one for stderr.
 */
public final class DebugAdapterHost {
  /** How long an adapter may take to exit after the client is gone before its process tree is killed. */
  public static final Duration EXIT_GRACE = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(DebugAdapterHost.class);
  private static final Logger ADAPTER_LOG = LoggerFactory.getLogger("dev.tether.adapter-stderr");
  private static final Gson GSON = new Gson();
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  /** What the opener asks for: exactly one of adapter, command and connect. */
  static final class Request {
    String adapter;
    List<String> command;
    Connect connect;
    String cwd;
    Map<String, String> env;
  }

  static final class Connect {
    String host;
    int port;
  }

  private final ServerCatalog catalog;
  private final int maxMessageSize;
  private final Set<Object> running = ConcurrentHashMap.newKeySet();

  public DebugAdapterHost(ServerCatalog catalog, int maxMessageSize) {
    this.catalog = catalog;
    this.maxMessageSize = maxMessageSize;
  }

  /** Handles one {@code dap} OPEN. */
  public void open(OpenRequest request) throws MuxException {
    Request wanted;
    try {
      wanted = parse(request.metadata());
    } catch (RuntimeException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, e.getMessage());
      return;
    }
    if (wanted.connect != null) {
      connect(request, wanted.connect);
    } else {
      spawn(request, wanted);
    }
  }

  /** Adapters being served, for status and tests. */
  public int runningCount() {
    return running.size();
  }

  private static Request parse(String metadata) {
    Request wanted = metadata == null || metadata.isBlank() ? new Request() : GSON.fromJson(metadata, Request.class);
    int given = (wanted.adapter != null ? 1 : 0) + (wanted.command != null && !wanted.command.isEmpty() ? 1 : 0)
        + (wanted.connect != null ? 1 : 0);
    if (given != 1) {
      throw new IllegalArgumentException("a dap channel needs exactly one of \"adapter\" (a catalog name), "
          + "\"command\" or \"connect\"");
    }
    return wanted;
  }

  private void spawn(OpenRequest request, Request wanted) throws MuxException {
    List<String> command;
    List<String> pathKeys = DapRewriter.DEFAULT_PATH_KEYS;
    try {
      if (wanted.adapter != null) {
        DebugAdapter adapter = catalog.debugAdapter(wanted.adapter);
        command = AdapterLocator.locate(adapter);
        pathKeys = adapter.pathKeys();
      } else {
        command = wanted.command;
      }
    } catch (CatalogException | AdapterLocator.AdapterMissingException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, e.getMessage());
      return;
    }
    Process process;
    try {
      process = start(command, wanted);
    } catch (IOException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "cannot start debug adapter '" + String.join(" ", command)
          + "' on the host: " + e.getMessage() + " (is it installed there and on the agent's PATH?)");
      return;
    }
    JsonObject answer = new JsonObject();
    answer.addProperty("pid", process.pid());
    answer.add("command", GSON.toJsonTree(command));
    answer.add("pathKeys", GSON.toJsonTree(pathKeys));
    Channel channel;
    try {
      channel = request.accept(answer.toString());
    } catch (MuxException e) {
      ProcessGroup.started(process).end(Duration.ZERO);
      throw e;
    }
    // Logs name the program only: its arguments and environment may hold secrets (DEBUG shows them).
    LOG.debug("{} (pid {}): argv {}", programName(command), process.pid(), command);
    new Spawned(channel, process, programName(command)).start();
  }

  private static String programName(List<String> command) {
    String program = command.get(0);
    return program.substring(program.lastIndexOf('/') + 1);
  }

  /**
   * In a session (and process group) of its own, so that ending it ends the debuggee and whatever
   * else the adapter started, double-forked or not.
   */
  private static Process start(List<String> command, Request wanted) throws IOException {
    return ProcessGroup.start(command, wanted.cwd, wanted.env);
  }

  private void connect(OpenRequest request, Connect where) throws MuxException {
    String host = where.host == null || where.host.isBlank() ? "127.0.0.1" : where.host;
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, where.port), CONNECT_TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
    } catch (IOException e) {
      closeQuietly(socket);
      request.reject(ErrorCode.SERVICE_ERROR, "cannot reach a debug adapter at " + host + ":" + where.port
          + " on the host: " + e.getMessage() + " (is it listening there?)");
      return;
    }
    JsonObject answer = new JsonObject();
    answer.addProperty("connected", host + ":" + where.port);
    answer.add("pathKeys", GSON.toJsonTree(DapRewriter.DEFAULT_PATH_KEYS));
    Channel channel;
    try {
      channel = request.accept(answer.toString());
    } catch (MuxException e) {
      closeQuietly(socket);
      throw e;
    }
    Connected connected = new Connected(channel, socket, host + ":" + where.port);
    running.add(connected);
    daemon("dap-in-" + where.port, connected::clientToAdapter);
    daemon("dap-out-" + where.port, connected::adapterToClient);
  }

  /** Copies the adapter's framed output to the channel, one message each, until it ends. */
  private void pumpToClient(InputStream from, Channel channel) throws IOException {
    BaseProtocol.Reader reader = new BaseProtocol.Reader(from, maxMessageSize);
    byte[] message;
    while ((message = reader.read()) != null) {
      channel.writeMessage(message);
    }
  }

  /** Copies the channel's messages to the adapter's input, framed, until the client side ends. */
  private static void pumpToAdapter(Channel channel, OutputStream to) throws IOException {
    byte[] message;
    while ((message = channel.readMessage()) != null) {
      BaseProtocol.write(to, message);
    }
  }

  /** One adapter started here, with its pumps. */
  private final class Spawned {
    private final Channel channel;
    private final Process process;
    private final ProcessGroup group;
    private final String name;
    private final StderrLog stderr;
    private Thread stderrReader;
    private Thread toClient;

    Spawned(Channel channel, Process process, String program) {
      this.channel = channel;
      this.process = process;
      this.group = ProcessGroup.started(process);
      this.name = program + " (pid " + process.pid() + ")";
      this.stderr = new StderrLog(ADAPTER_LOG, this.name);
    }

    void start() {
      running.add(this);
      stderrReader = daemon("dap-err-" + process.pid(), this::stderrToLog); // before the reader that joins it
      toClient = daemon("dap-out-" + process.pid(), this::adapterToClient);
      daemon("dap-in-" + process.pid(), this::clientToAdapter); // after toClient is set: stop() joins it
    }

    private void clientToAdapter() {
      OutputStream stdin = process.getOutputStream();
      try {
        pumpToAdapter(channel, stdin);
        LOG.info("{}: client side closed", name);
      } catch (IOException e) {
        LOG.info("{}: client side ended: {}", name, e.getMessage());
      }
      stop(stdin);
    }

    private void adapterToClient() {
      try {
        pumpToClient(process.getInputStream(), channel);
        int status = process.waitFor();
        stderrReader.join(2000); // its last words explain the exit
        if (status == 0) {
          channel.halfClose();
        } else {
          channel.reset(ErrorCode.SERVICE_ERROR, "debug adapter " + name + " exited with status " + status + lastStderr());
        }
      } catch (IOException e) {
        if (process.isAlive()) {
          channel.reset(ErrorCode.SERVICE_ERROR, name + " sent invalid DAP output: " + e.getMessage());
          group.end(Duration.ofSeconds(1));
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

    /** The client is gone: ask the adapter to end the debuggee, then make sure the whole tree ends. */
    private void stop(OutputStream stdin) {
      try {
        if (process.isAlive()) {
          BaseProtocol.write(stdin, ("{\"seq\":2147483000,\"type\":\"request\",\"command\":\"disconnect\","
              + "\"arguments\":{\"terminateDebuggee\":true}}").getBytes(StandardCharsets.UTF_8));
        }
        stdin.close();
      } catch (IOException alreadyExited) {
        // nothing left to tell
      }
      try {
        if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.info("{}: did not exit within {} s; ending its process group", name, EXIT_GRACE.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      group.end(Duration.ofSeconds(1));
      try {
        toClient.join(5000); // an adapter that died reports why (a reset) before the channel is closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      channel.close();
      running.remove(this);
      LOG.info("{}: ended", name);
    }
  }

  /** One adapter reached on a TCP address of this host. */
  private final class Connected {
    private final Channel channel;
    private final Socket socket;
    private final String name;

    Connected(Channel channel, Socket socket, String name) {
      this.channel = channel;
      this.socket = socket;
      this.name = "debug adapter at " + name;
    }

    void clientToAdapter() {
      try {
        pumpToAdapter(channel, socket.getOutputStream());
      } catch (IOException e) {
        LOG.info("{}: client side ended: {}", name, e.getMessage());
      }
      closeQuietly(socket);
      channel.close();
      running.remove(this);
    }

    void adapterToClient() {
      try {
        pumpToClient(socket.getInputStream(), channel);
        channel.halfClose();
      } catch (IOException e) {
        if (!socket.isClosed()) {
          channel.reset(ErrorCode.SERVICE_ERROR, name + ": " + e.getMessage());
        }
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
