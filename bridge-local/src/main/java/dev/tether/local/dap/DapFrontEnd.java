package dev.tether.local.dap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.dap.DapRewriter;
import dev.tether.adapters.lsp.MaterializedCache;
import dev.tether.adapters.lsp.PathMapper;
import dev.tether.adapters.ChannelOpener;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.lsp.DaemonRemoteFiles;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.MuxException;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tether dap}'s work for one client connection: opens a debug adapter on the host through the
 * daemon ({@code dap} channel), then forwards every message through a {@link DapRewriter}. Thin on
 * purpose: the rewriting is a pure class, and the only work done here is what needs the daemon,
 * namely {@code runInTerminal} (run on the host in a Tether terminal, see {@link HostTerminals}) and
 * telling the client about connection trouble with {@code output} events.
 *
 * <p>An adapter that cannot be started answers the client's requests ({@code initialize} first) with
 * an error response naming what is missing, and the process exits when the client disconnects or
 * goes away.
 *
 * <p>Threading: {@link #serve} runs the adapter-to-client direction on the calling thread and the
 * client-to-adapter direction on a daemon thread.
 */
public final class DapFrontEnd {
  /**
   * What to run and how to translate paths. {@code connect} is "host:port" or null; {@code cwd} is the
   * command's working directory (in a handed-over command, the process's, not the daemon's).
   */
  public record Options(RemoteSpec target, String adapter, List<String> command, String connect,
      PathMapper mapper, Path cacheDir, Path cwd) {}

  static final int MAX_MESSAGE = 64 * 1024 * 1024;

  private final ChannelOpener opener;
  private final Options options;
  private final PrintStream stderr;
  private final Set<ClientConnection> clients = ConcurrentHashMap.newKeySet();

  /**
   * @param opener opens channels on the host: through the daemon ({@code DaemonClient.opener}) in the
   *     command's own process, on the daemon's session in a handed-over command
   */
  public DapFrontEnd(ChannelOpener opener, Options options, PrintStream stderr) {
    this.opener = opener;
    this.options = options;
    this.stderr = stderr;
  }

  /**
   * Lost and reconnected connections reach every client as {@code output} events (category
   * important); whoever knows of them (the daemon client, the daemon's host) calls this.
   */
  public void notice(String line) {
    String text = "tether: " + line;
    stderr.println(text);
    clients.forEach(client -> client.output("important", text + "\n"));
  }

  /** Serves one client until it goes away; returns the process exit code. */
  public int serve(InputStream fromClient, OutputStream toClient) {
    BaseProtocol.Reader reader = new BaseProtocol.Reader(fromClient, MAX_MESSAGE);
    Channel channel;
    try {
      channel = openAdapter();
    } catch (IOException e) {
      String reason = "tether: " + e.getMessage();
      stderr.println(reason);
      return new Refusal(reader, toClient, reason).run();
    }
    DapRewriter rewriter = DapRewriter.builder(options.mapper())
        .hostFiles(new MaterializedCache(options.cacheDir(), options.target().key(),
            new DaemonRemoteFiles(opener)))
        .pathKeys(pathKeys(channel))
        .build();
    ClientConnection client = new ClientConnection(toClient, rewriter);
    HostTerminals terminals = new HostTerminals(opener);
    clients.add(client);
    Connection state = new Connection(client);
    Thread fromClientThread = new Thread(() -> clientToAdapter(reader, channel, rewriter, state), "client-to-adapter");
    fromClientThread.setDaemon(true);
    fromClientThread.start();
    try {
      return adapterToClient(channel, rewriter, state, terminals, fromClientThread);
    } finally {
      clients.remove(client);
      terminals.endRunning();
    }
  }

  private Channel openAdapter() throws IOException {
    JsonObject meta = new JsonObject();
    if (options.adapter() != null) {
      meta.addProperty("adapter", options.adapter());
    } else if (options.connect() != null) {
      JsonObject connect = new JsonObject();
      int colon = options.connect().lastIndexOf(':');
      connect.addProperty("host", colon < 0 ? "127.0.0.1" : options.connect().substring(0, colon));
      connect.addProperty("port", Integer.parseInt(options.connect().substring(colon + 1)));
      meta.add("connect", connect);
    } else {
      JsonArray command = new JsonArray();
      options.command().forEach(command::add);
      meta.add("command", command);
    }
    String cwd = options.cwd().toAbsolutePath().toString();
    if (options.connect() == null && options.mapper().mappingForLocal(cwd).isPresent()) {
      meta.addProperty("cwd", options.mapper().toRemotePath(cwd));
    }
    return opener.open(ChannelKinds.DAP, ChannelFlavour.MESSAGES, meta.toString());
  }

  private static List<String> pathKeys(Channel channel) {
    List<String> keys = new ArrayList<>();
    try {
      JsonElement answer = JsonParser.parseString(channel.acceptMetadata());
      answer.getAsJsonObject().getAsJsonArray("pathKeys").forEach(k -> keys.add(k.getAsString()));
    } catch (RuntimeException olderAgent) {
      return DapRewriter.DEFAULT_PATH_KEYS;
    }
    return keys;
  }

  /**
   * Client to adapter. Once the adapter is gone ({@code failure} set by either direction), every
   * request still arriving is answered with the reason, until the client disconnects or closes.
   */
  private void clientToAdapter(BaseProtocol.Reader reader, Channel channel, DapRewriter rewriter, Connection state) {
    try {
      byte[] message;
      while ((message = reader.read()) != null) {
        state.lastMessage = System.nanoTime();
        if (state.failure == null) {
          try {
            synchronized (state.toAdapter) {
              channel.writeMessage(rewriter.clientToAdapter(message));
            }
            continue;
          } catch (MuxException e) {
            state.fail("tether: " + e.reason());
          }
        } else {
          rewriter.clientToAdapter(message); // notes the request, to answer it below
        }
        state.client.failUnanswered(state.failure);
        if (DapRewriter.isRequest(DapRewriter.parse(message), "disconnect")) {
          break;
        }
      }
    } catch (IOException e) {
      if (state.failure == null) {
        stderr.println("tether: reading from the debug client failed: " + e.getMessage());
      }
    }
    channel.close(); // the agent ends the adapter and its debuggee
  }

  private int adapterToClient(Channel channel, DapRewriter rewriter, Connection state, HostTerminals terminals,
      Thread fromClient) {
    try {
      byte[] message;
      while ((message = channel.readMessage()) != null) {
        JsonObject parsed = message.length < 1 << 20 ? DapRewriter.parse(message) : null;
        if (DapRewriter.isRequest(parsed, "runInTerminal")) {
          HostTerminals.Answer answer = terminals.runInTerminal(parsed);
          synchronized (state.toAdapter) {
            channel.writeMessage(rewriter.responseToAdapter(parsed, answer.body(), answer.error()));
          }
        } else {
          state.client.forward(message);
        }
      }
      return 0;
    } catch (MuxException e) {
      String reason = state.fail("tether: " + e.reason());
      stderr.println(reason);
      state.client.failUnanswered(reason);
      state.client.output("important", reason + "\n");
      state.client.terminated();
      awaitQuiet(fromClient, state);
      return 1;
    } catch (IOException e) {
      return 0; // the client stopped reading: it is gone
    }
  }

  /** Lets the client hear the failure: waits until it closes, disconnects, or is quiet for a while. */
  private static void awaitQuiet(Thread fromClient, Connection state) {
    try {
      while (fromClient.isAlive()) {
        fromClient.join(Refusal.QUIET_MILLIS);
        if (System.nanoTime() - state.lastMessage >= Refusal.QUIET_MILLIS * 1_000_000) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What both directions of one client connection share. */
  private static final class Connection {
    final ClientConnection client;
    /**
     * Held while a message towards the adapter is numbered and written, so that the client's messages
     * and the bridge's own answers reach the adapter in the order of their seq.
     */
    final Object toAdapter = new Object();
    volatile String failure;
    volatile long lastMessage = System.nanoTime();

    Connection(ClientConnection client) {
      this.client = client;
    }

    /** Records the first reason the adapter went away; returns the one recorded. */
    synchronized String fail(String reason) {
      if (failure == null) {
        failure = reason;
      }
      return failure;
    }
  }
}
