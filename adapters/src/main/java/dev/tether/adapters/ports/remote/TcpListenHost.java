package dev.tether.adapters.ports.remote;

import com.google.gson.JsonObject;
import dev.tether.adapters.ports.SocketSplice;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remote halves of reverse forwarding. Every channel is opened by the local side (commands reach the
 * agent through the daemon, which splices only what a command opens), so the agent never opens one:
 * <ol>
 *   <li>{@code tcp.listen} (messages): the agent listens on the host and, for every connection it
 *       accepts, sends the JSON-RPC notification {@code tcp/accepted} with a connection number;</li>
 *   <li>{@code tcp.accepted} (bytes): the local side opens one per announced connection, naming the
 *       listener and the number, and the agent splices the waiting socket to it.</li>
 * </ol>
 * A connection nobody claims within {@link #CLAIM_TIMEOUT_SECONDS} is closed. Ending the listen channel
 * (closed, reset, session gone) closes the listening socket and every unclaimed connection.
 */
public final class TcpListenHost {
  static final long CLAIM_TIMEOUT_SECONDS = 30;

  private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tcp.listen claim timer");
    t.setDaemon(true);
    return t;
  });

  /** {@code tcp.listen}: binds, answers {"listener", "host", "port"}, then announces connections. */
  public void listen(OpenRequest request) throws IOException {
    JsonObject meta = Metadata.object(request.metadata());
    Integer port = meta == null ? null : Metadata.port(meta, "port", 0);
    String host = meta == null ? null : Metadata.string(meta, "host");
    if (port == null) {
      request.reject(ErrorCode.CHANNEL_REFUSED, "tcp.listen needs metadata {\"port\": 0-65535} (and optionally "
          + "\"host\", default 127.0.0.1), got " + request.metadata());
      return;
    }
    String bindHost = host == null || host.isBlank() ? "127.0.0.1" : host;
    ServerSocket server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port));
    } catch (BindException e) {
      server.close();
      request.reject(ErrorCode.SERVICE_ERROR, "cannot listen on " + bindHost + ":" + port + " on the host: "
          + (port != 0 && e.getMessage() != null && e.getMessage().contains("in use")
              ? "the port is in use there (see 'tether ports')" : e.getMessage()));
      return;
    } catch (UnknownHostException e) {
      server.close();
      request.reject(ErrorCode.SERVICE_ERROR, "cannot listen on " + bindHost + ":" + port + ": the host cannot resolve '"
          + bindHost + "'");
      return;
    }
    String token = UUID.randomUUID().toString();
    JsonObject ok = new JsonObject();
    ok.addProperty("listener", token);
    ok.addProperty("host", server.getInetAddress().getHostAddress());
    ok.addProperty("port", server.getLocalPort());
    Listener listener = new Listener(token, server);
    listeners.put(token, listener);
    Channel channel = request.accept(ok.toString());
    start(() -> listener.acceptLoop(channel), "tcp.listen " + bindHost + ":" + server.getLocalPort());
    start(() -> listener.watch(channel), "tcp.listen watch " + server.getLocalPort());
  }

  /** {@code tcp.accepted}: {"listener": TOKEN, "connection": N} gets that waiting connection's bytes. */
  public void accepted(OpenRequest request) throws IOException {
    JsonObject meta = Metadata.object(request.metadata());
    String token = meta == null ? null : Metadata.string(meta, "listener");
    Long number = null;
    try {
      number = meta == null ? null : meta.get("connection").getAsLong();
    } catch (RuntimeException e) {
      // answered below
    }
    if (token == null || number == null) {
      request.reject(ErrorCode.CHANNEL_REFUSED, "tcp.accepted needs metadata {\"listener\": TOKEN, \"connection\": N}"
          + " from a tcp/accepted notification, got " + request.metadata());
      return;
    }
    Listener listener = listeners.get(token);
    Socket socket = listener == null ? null : listener.pending.remove(number);
    if (socket == null) {
      request.reject(ErrorCode.SERVICE_ERROR, listener == null
          ? "no reverse-forward listener " + token + " on the host (its tcp.listen channel has ended)"
          : "connection " + number + " on port " + listener.server.getLocalPort()
              + " is gone (already claimed, or unclaimed for " + CLAIM_TIMEOUT_SECONDS + " s)");
      return;
    }
    SocketSplice.join(socket, request.accept("{}"), "tcp.accepted " + listener.server.getLocalPort() + "#" + number);
  }

  private final class Listener {
    final String token;
    final ServerSocket server;
    final Map<Long, Socket> pending = new ConcurrentHashMap<>();
    final AtomicLong next = new AtomicLong();

    Listener(String token, ServerSocket server) {
      this.token = token;
      this.server = server;
    }

    void acceptLoop(Channel channel) {
      try {
        while (true) {
          Socket socket = server.accept();
          socket.setTcpNoDelay(true);
          long number = next.incrementAndGet();
          pending.put(number, socket);
          timer.schedule(() -> expire(number), CLAIM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          JsonObject params = new JsonObject();
          params.addProperty("connection", number);
          params.addProperty("peer", socket.getInetAddress().getHostAddress() + ":" + socket.getPort());
          JsonObject notification = new JsonObject();
          notification.addProperty("jsonrpc", "2.0");
          notification.addProperty("method", "tcp/accepted");
          notification.add("params", params);
          channel.writeMessage(notification.toString().getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        close(); // the listening socket was closed, or the channel ended
        channel.close();
      }
    }

    /** The local side sends nothing on the listen channel; its end (EOF or reset) ends the listener. */
    void watch(Channel channel) {
      try {
        while (channel.readMessage() != null) {
          // ignored: no requests are defined from the local side
        }
      } catch (IOException ended) {
        // reset or session gone: same as end of stream
      }
      close();
      channel.close();
    }

    void expire(long number) {
      Socket socket = pending.remove(number);
      if (socket != null) {
        SocketSplice.abort(socket);
      }
    }

    void close() {
      if (listeners.remove(token) == null) {
        return;
      }
      SocketSplice.closeQuietly(server);
      pending.values().forEach(SocketSplice::abort);
      pending.clear();
    }
  }

  private static void start(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
