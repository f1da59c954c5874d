package dev.tether.local.web;

import dev.tether.adapters.ws.HostRule;
import dev.tether.adapters.ws.WebSocketTransport;
import dev.tether.adapters.ws.WsLimits;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback HTTP server of {@code tether web}: the workbench page and, at {@code /session}, a
 * WebSocket per browser session. Each WebSocket is spliced, byte for byte, to a new raw transport to
 * the agent of the destination, so the page's TypeScript client is the protocol peer of the agent: it
 * sends the hello, and resumes after a lost WebSocket where the agent keeps sessions (SSH, ws).
 *
 * <p>Who may use it: whoever holds the one-time ticket of the printed URL, once, within its lifetime,
 * and from then on the browser that redeemed it (an HttpOnly, SameSite=Strict cookie). Every request
 * must be addressed to the listen address ({@code Host}: DNS rebinding), and a WebSocket upgrade must
 * come from the page's own origin ({@code Origin}) and carry the cookie; all checked before anything is
 * served. Neither tickets nor cookies are logged.
 *
 * <p>Threading: Jetty's threads run the checks and serve files; each accepted WebSocket gets two threads
 * of its own (connect and copy agent to browser; copy browser to agent), which block on I/O.
 */
public final class WebServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
  static final String SESSION_PATH = "/session";
  static final String TICKET_PREFIX = "/t/";

  /** Opens a new byte stream to the agent, before any hello; closing it ends that connection. */
  @FunctionalInterface
  public interface Agent {
    Transport connect() throws IOException;
  }

  private final Server server;
  private final ServerConnector connector;
  private final Tickets tickets;
  private final WorkbenchAssets assets;
  private final Agent agent;
  private final byte[] config;
  private final String host;
  private volatile HostRule hosts;

  private WebServer(String host, int port, Tickets tickets, WorkbenchAssets assets, Agent agent, String configJson) {
    this.host = host;
    this.tickets = tickets;
    this.assets = assets;
    this.agent = agent;
    this.config = configJson.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    QueuedThreadPool threads = new QueuedThreadPool(32, 2);
    threads.setName("tether-web");
    threads.setDaemon(true);
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
      container.setMaxBinaryMessageSize(WsLimits.MAX_MESSAGE);
      container.setMaxTextMessageSize(1024);
      container.setIdleTimeout(Duration.ofMinutes(30));
      container.addMapping(SESSION_PATH, this::accept);
    });
    upgrade.setHandler(new Pages());
    server.setHandler(new Gate(upgrade));
  }

  /**
   * Listens on {@code host:port} (0: any free port), which must be a loopback address.
   *
   * @param configJson what the page reads at {@code /config.json} (destination, workspace)
   */
  public static WebServer start(String host, int port, Tickets tickets, WorkbenchAssets assets, Agent agent,
      String configJson) throws IOException {
    if (!HostRule.isLoopback(host)) {
      throw new IllegalArgumentException(host + " is not a loopback address");
    }
    WebServer web = new WebServer(host, port, tickets, assets, agent, configJson);
    try {
      web.server.start();
    } catch (Exception e) {
      web.close();
      throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    // Only now is the port known; until this line every request is refused.
    web.hosts = new HostRule(HostRule.listenNames(host), web.port(), List.of());
    return web;
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** The page's origin, {@code http://HOST:PORT} (IPv6 in brackets). */
  public String origin() {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  /** A new one-time URL that admits one browser: {@code http://HOST:PORT/t/TICKET}. */
  public URI ticketUrl() {
    return URI.create(origin() + TICKET_PREFIX + tickets.issue());
  }

  /** The cookie that carries the redeemed ticket; named per port, as cookies do not tell ports apart. */
  String cookieName() {
    return "tether-web-" + port();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.debug("stopping the web server", e);
    }
  }

  /** Past the gate (Host, cookie, Origin checked): one more browser session. */
  private Object accept(ServerUpgradeRequest request, ServerUpgradeResponse response, org.eclipse.jetty.util.Callback callback) {
    if (request.hasSubProtocol(WsLimits.SUBPROTOCOL)) {
      response.setAcceptedSubProtocol(WsLimits.SUBPROTOCOL);
    }
    response.setExtensions(List.of()); // no compression: bytes are sent as they are
    WebSocketTransport browser = new WebSocketTransport("browser " + Request.getRemoteAddr(request) + ":"
        + Request.getRemotePort(request));
    browser.opened().thenRun(() -> {
      Thread thread = new Thread(() -> splice(browser), "tether-web " + browser.description());
      thread.setDaemon(true);
      thread.start();
    });
    return browser;
  }

  /** Connects to the agent and copies bytes both ways until either side ends; then ends both. */
  private void splice(WebSocketTransport browser) {
    Transport upstream;
    try {
      upstream = agent.connect();
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot reach the agent for {}: {}", browser.description(), e.getMessage());
      browser.close(StatusCode.SERVER_ERROR, "cannot reach the agent: " + e.getMessage());
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    Runnable endBoth = () -> {
      if (done.compareAndSet(false, true)) {
        upstream.close();
        browser.close(StatusCode.NORMAL, "the agent's connection ended");
      }
    };
    Thread up = new Thread(() -> {
      copy(browser.input(), upstream.output());
      endBoth.run();
    }, "tether-web up " + browser.description());
    up.setDaemon(true);
    up.start();
    copy(upstream.input(), browser.output());
    endBoth.run();
  }

  private static void copy(InputStream in, OutputStream out) {
    byte[] buffer = new byte[WsLimits.MAX_MESSAGE];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      LOG.debug("splice ended: {}", e.getMessage());
    }
  }

  static void send(Response response, Callback callback, int status, String contentType, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    // CodeMirror adds style elements and draws lint marks as data: SVG images.
    response.getHeaders().put("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline';"
        + " img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  static void page(Response response, Callback callback, int status, String title, String text) {
    String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body>"
        + "<h1>" + title + "</h1><p>" + text + "</p></body></html>\n";
    send(response, callback, status, "text/html; charset=utf-8", html.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void refuse(Response response, Callback callback, int status, String reason) {
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    send(response, callback, status, "text/plain; charset=utf-8",
        ("tether web: " + reason + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The checks, on every request, before anything is served. */
  private final class Gate extends Handler.Wrapper {
    Gate(Handler next) {
      super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      HostRule hosts = WebServer.this.hosts;
      String hostHeader = request.getHeaders().get(HttpHeader.HOST);
      if (hosts == null) {
        refuse(response, callback, 503, "starting");
        return true;
      }
      String path = Request.getPathInContext(request);
      if (!hosts.allows(hostHeader)) {
        LOG.warn("refused {} {}: Host '{}' is not this server's address", request.getMethod(),
            path.startsWith(TICKET_PREFIX) ? TICKET_PREFIX + "…" : HostRule.printable(path), HostRule.printable(hostHeader));
        refuse(response, callback, 421, "Host '" + HostRule.printable(hostHeader) + "' is not this server's address");
        return true;
      }
      if (path.startsWith(TICKET_PREFIX)) {
        redeem(path.substring(TICKET_PREFIX.length()), response, callback);
        return true;
      }
      if (!hasCookie(request)) {
        page(response, callback, 401, "Not signed in", "This browser has not opened the link <code>tether web</code>"
            + " printed. Open that link; if it was used already or is older than " + tickets.lifetime().toSeconds()
            + " seconds, run <code>tether web</code> again for a new one.");
        return true;
      }
      if (path.equals(SESSION_PATH)) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        String own = "http://" + hostHeader.toLowerCase(Locale.ROOT);
        if (origin == null || !origin.toLowerCase(Locale.ROOT).equals(own)) {
          LOG.warn("refused a WebSocket: Origin '{}' is not the page's own ({})", HostRule.printable(origin), own);
          refuse(response, callback, 403, "Origin '" + HostRule.printable(origin) + "' is not this page's origin");
          return true;
        }
        if (super.handle(request, response, callback)) {
          return true;
        }
        refuse(response, callback, 426, SESSION_PATH + " serves WebSocket upgrades only");
        return true;
      }
      return super.handle(request, response, callback);
    }

    private boolean hasCookie(Request request) {
      for (HttpCookie cookie : Request.getCookies(request)) {
        if (cookie.getName().equals(cookieName()) && tickets.admits(cookie.getValue())) {
          return true;
        }
      }
      return false;
    }

    private void redeem(String ticket, Response response, Callback callback) {
      Tickets.Redemption redemption = tickets.redeem(ticket);
      String again = " Run <code>tether web</code> again: it prints a new link.";
      switch (redemption.outcome()) {
        case ACCEPTED -> {
          response.setStatus(303);
          response.getHeaders().put(HttpHeader.LOCATION, "/");
          response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
          response.getHeaders().put("Referrer-Policy", "no-referrer");
          response.getHeaders().add(HttpHeader.SET_COOKIE, cookieName() + "=" + redemption.cookie()
              + "; Path=/; HttpOnly; SameSite=Strict");
          LOG.info("a browser redeemed the ticket");
          callback.succeeded();
        }
        case USED -> page(response, callback, 403, "This link was already used",
            "Each link <code>tether web</code> prints lets one browser in, once." + again);
        case EXPIRED -> page(response, callback, 403, "This link has expired",
            "A link from <code>tether web</code> works for " + tickets.lifetime().toSeconds() + " seconds." + again);
        case UNKNOWN -> page(response, callback, 403, "This link is not valid",
            "It is not a link this <code>tether web</code> printed (a typo, or from an earlier run)." + again);
        default -> throw new IllegalStateException(redemption.outcome().toString());
      }
    }
  }

  /** The page's files and its configuration, for a browser past the gate. */
  private final class Pages extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
        refuse(response, callback, 405, "only GET");
        return true;
      }
      String path = Request.getPathInContext(request);
      if (path.equals("/config.json")) {
        send(response, callback, 200, "application/json", config);
        return true;
      }
      WorkbenchAssets.Asset asset = assets.get(path.equals("/") ? "index.html" : path.substring(1));
      if (asset == null) {
        refuse(response, callback, 404, "no such page");
        return true;
      }
      send(response, callback, 200, asset.contentType(), asset.bytes());
      return true;
    }
  }
}
