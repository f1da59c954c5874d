package dev.tether.remote.ws;

import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.adapters.ws.HostRule;
import dev.tether.adapters.ws.UpgradePolicy;
import dev.tether.adapters.ws.WebSocketTransport;
import dev.tether.adapters.ws.WsLimits;
import dev.tether.mux.NotTetherException;
import dev.tether.mux.SessionRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's WebSocket endpoint (Jetty 12 core): every upgrade request passes {@link UpgradePolicy}
 * and the connection limit before anything is served; each accepted WebSocket carries one session
 * (new, or resumed: the {@link SessionRegistry} tells which from the hello), exactly as a connection
 * over SSH does.
 *
 * <p>Threading: Jetty's threads run the checks and the WebSocket events; each accepted WebSocket gets
 * a thread of its own for the session handshake, which blocks reading.
 */
public final class WsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WsServer.class);

  /** What the endpoint serves and how; see {@code tether-remote serve}. */
  public record Settings(String host, int port, KeyStore keyStore, String keyStorePassword, List<String> allowHosts,
      List<String> allowOrigins, int maxConnections, Duration idleTimeout) {}

  private final Server server;
  private final ServerConnector connector;
  private final AtomicInteger connections = new AtomicInteger();
  private final Consumer<WebSocketTransport> sessions;
  private final Settings settings;
  private final Gate gate;

  private WsServer(Settings settings, Consumer<WebSocketTransport> sessions) {
    this.settings = settings;
    this.sessions = sessions;
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("ws-server");
    threads.setDaemon(true);
    server = new Server(threads);
    connector = connector(server, settings);
    server.addConnector(connector);
    WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
      container.setMaxBinaryMessageSize(WsLimits.MAX_MESSAGE);
      container.setMaxTextMessageSize(1024);
      container.setIdleTimeout(settings.idleTimeout());
      container.addMapping("/*", this::accept);
    });
    gate = new Gate(upgrade);
    server.setHandler(gate);
  }

  /** Starts serving the agent's sessions; {@link #port()} then tells the port bound (for {@code --listen HOST:0}). */
  public static WsServer start(Settings settings, ConnectionToken token, SessionRegistry registry) throws Exception {
    return start(settings, token, transport -> serve(registry, transport));
  }

  /**
   * Starts serving; {@code sessions} gets each WebSocket once it is open, on a thread of its own that
   * it may keep (the agent runs the session handshake there; tests take the raw transport).
   */
  public static WsServer start(Settings settings, ConnectionToken token, Consumer<WebSocketTransport> sessions)
      throws Exception {
    WsServer ws = new WsServer(settings, sessions);
    try {
      ws.server.start();
    } catch (Exception e) {
      ws.close();
      throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + rootMessage(e), e);
    }
    // Only now is the port known (--listen HOST:0); until this line every request is refused.
    ws.gate.policy = new UpgradePolicy(token, listenNames(settings.host()), ws.port(), settings.allowHosts(),
        settings.allowOrigins());
    return ws;
  }

  public int port() {
    return connector.getLocalPort();
  }

  public boolean secure() {
    return settings.keyStore() != null;
  }

  private static ServerConnector connector(Server server, Settings settings) {
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector;
    if (settings.keyStore() == null) {
      connector = new ServerConnector(server, new HttpConnectionFactory(http));
    } else {
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStore(settings.keyStore());
      tls.setKeyStorePassword(settings.keyStorePassword());
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // Clients pin the certificate's fingerprint or check the name themselves; the SNI check would
      // refuse a self-signed certificate reached through a name it does not list.
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
      connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
    }
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    return connector;
  }

  /** Past the gate: one more WebSocket, if the limit allows; its session starts once it is open. */
  private Object accept(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
    String peer = peer(request);
    if (connections.incrementAndGet() > settings.maxConnections()) {
      connections.decrementAndGet();
      LOG.warn("refused a WebSocket from {}: {} connections already open", peer, settings.maxConnections());
      refuse(response, callback, 503, "this server already holds its maximum of " + settings.maxConnections()
          + " connections");
      return null;
    }
    if (request.hasSubProtocol(WsLimits.SUBPROTOCOL)) {
      response.setAcceptedSubProtocol(WsLimits.SUBPROTOCOL); // never the token subprotocol
    }
    response.setExtensions(List.of()); // no compression: bytes are sent as they are
    WebSocketTransport transport = new WebSocketTransport((secure() ? "wss " : "ws ") + peer);
    transport.ended().whenComplete((reason, e) -> connections.decrementAndGet());
    transport.opened().thenRun(() -> {
      Thread thread = new Thread(() -> sessions.accept(transport), "ws-session " + peer);
      thread.setDaemon(true);
      thread.start();
    });
    return transport;
  }

  private static void serve(SessionRegistry registry, WebSocketTransport transport) {
    try {
      registry.accept(transport);
      LOG.info("session over {}", transport.description());
    } catch (NotTetherException e) {
      LOG.info("{} sent no Tether hello: closed", transport.description());
      transport.close();
    } catch (IOException e) {
      LOG.warn("refused a session over {}: {}", transport.description(), e.getMessage());
      transport.close();
    }
  }

  static String peer(Request request) {
    return Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
  }

  private static void refuse(Response response, Callback callback, int status, String reason) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    Content.Sink.write(response, true, "tether-remote: " + reason + "\n", callback);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  /** The checks of {@link UpgradePolicy}, on every request, before the upgrade handler sees it. */
  private final class Gate extends Handler.Wrapper {
    volatile UpgradePolicy policy;

    Gate(Handler next) {
      super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      List<String> subprotocols = new ArrayList<>();
      for (String value : request.getHeaders().getValuesList(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL)) {
        for (String offered : value.split(",")) {
          subprotocols.add(offered.strip());
        }
      }
      UpgradePolicy policy = this.policy;
      if (policy == null) {
        refuse(response, callback, 503, "starting");
        return true;
      }
      UpgradePolicy.Refusal refusal = policy.check(request.getHttpURI().getQuery(),
          request.getHeaders().get(HttpHeader.HOST), request.getHeaders().get(HttpHeader.ORIGIN),
          request.getHeaders().get(HttpHeader.AUTHORIZATION), subprotocols);
      if (refusal != null) {
        // The path only: a query string may hold a token, and must not reach the log.
        LOG.warn("refused {} {} from {}: {} {}", request.getMethod(), UpgradePolicy.printable(request.getHttpURI().getPath()),
            peer(request), refusal.status(), refusal.reason());
        refuse(response, callback, refusal.status(), refusal.reason());
        return true;
      }
      if (super.handle(request, response, callback)) {
        return true;
      }
      refuse(response, callback, 426, "this endpoint serves WebSocket upgrades only");
      return true;
    }
  }

  /** The names that reach {@code host}: itself, and every loopback spelling for a loopback address. */
  static List<String> listenNames(String host) {
    return HostRule.listenNames(host);
  }
}
