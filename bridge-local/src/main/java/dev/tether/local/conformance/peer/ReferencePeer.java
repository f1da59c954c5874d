package dev.tether.local.conformance.peer;

import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.adapters.ws.UpgradePolicy;
import dev.tether.adapters.ws.WebSocketTransport;
import dev.tether.adapters.ws.WsLimits;
import java.io.IOException;
import java.net.InetAddress;
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
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * {@code tether conformance peer}: plays the reference agent on a loopback WebSocket for a client under
 * test. Every upgrade passes the agent's own {@link UpgradePolicy} (token, Origin, Host; PROTOCOL.md
 * §14.2); the path picks the {@link Scenario} ({@code /scenario/NAME}; {@code /} plays the configured
 * ones in turn); a resume hello goes to the session it names whatever the path. Each connection ends in
 * one {@link Verdict}, reported to the caller.
 *
 * <p>Threading: Jetty's threads run the checks; each WebSocket gets a thread of its own that reads the
 * hello and plays its scenario (a real session then runs on the mux's threads).
 */
public final class ReferencePeer implements AutoCloseable {
  /** The path prefix that names a scenario. */
  public static final String SCENARIO_PATH = "/scenario/";
  private static final int MAX_CONNECTIONS = 16;
  /** Jetty's own idle timeout would end a scripted connection that waits for the client; ours is 30 s. */
  private static final Duration IDLE = Duration.ofMinutes(10);

  /** Where and how to listen: loopback {@code host} and {@code port} (0: any free one). */
  public record Settings(String host, int port, List<String> allowOrigins, List<Scenario> atRoot) {}

  private final Server server;
  private final ServerConnector connector;
  private final Settings settings;
  private final Consumer<Verdict> report;
  private final ServedSessions served;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger rootTurn = new AtomicInteger();
  private volatile UpgradePolicy policy;

  private ReferencePeer(Settings settings, Consumer<Verdict> report) {
    this.settings = settings;
    this.report = report;
    this.served = new ServedSessions(report);
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("conformance-peer");
    threads.setDaemon(true);
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    server.addConnector(connector);
    WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
      container.setMaxBinaryMessageSize(WsLimits.MAX_MESSAGE);
      container.setMaxTextMessageSize(1024);
      container.setIdleTimeout(IDLE);
      container.addMapping("/*", this::accept);
    });
    server.setHandler(new Gate(upgrade));
  }

  /**
   * Starts listening; {@code report} gets each connection's verdict (and an INFO line where there is
   * nothing to judge yet), from the connection's thread or the mux's.
   *
   * @throws IOException when the address is not loopback or cannot be bound
   */
  public static ReferencePeer start(Settings settings, ConnectionToken token, Consumer<Verdict> report)
      throws IOException {
    if (!InetAddress.getByName(settings.host()).isLoopbackAddress()) {
      throw new IOException("the conformance peer listens on loopback only, not on " + settings.host());
    }
    ReferencePeer peer = new ReferencePeer(settings, report);
    try {
      peer.server.start();
    } catch (Exception e) {
      peer.close();
      throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
    List<String> names = new ArrayList<>(List.of(settings.host(), "localhost", "127.0.0.1", "::1"));
    peer.policy = new UpgradePolicy(token, names, peer.port(), List.of(), settings.allowOrigins());
    return peer;
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** {@code ws://127.0.0.1:PORT/}. */
  public String url() {
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    return "ws://" + host + ":" + port() + "/";
  }

  private Object accept(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
    Scenario scenario = scenarioOf(request.getHttpURI().getPath());
    if (open.incrementAndGet() > MAX_CONNECTIONS) {
      open.decrementAndGet();
      refuse(response, callback, 503, "the conformance peer already holds " + MAX_CONNECTIONS + " connections");
      return null;
    }
    if (request.hasSubProtocol(WsLimits.SUBPROTOCOL)) {
      response.setAcceptedSubProtocol(WsLimits.SUBPROTOCOL);
    }
    response.setExtensions(List.of());
    int connection = connections.incrementAndGet();
    WebSocketTransport transport = new WebSocketTransport("ws " + Request.getRemoteAddr(request) + ":"
        + Request.getRemotePort(request));
    transport.ended().whenComplete((reason, e) -> open.decrementAndGet());
    transport.opened().thenRun(() -> {
      Thread thread = new Thread(() -> play(transport, scenario, connection), "conformance-peer #" + connection);
      thread.setDaemon(true);
      thread.start();
    });
    return transport;
  }

  /** The path's scenario; null for {@code /} (the configured turn, decided once the hello shows a new session). */
  private static Scenario scenarioOf(String path) {
    return path != null && path.startsWith(SCENARIO_PATH) ? Scenario.byLabel(path.substring(SCENARIO_PATH.length()))
        : null;
  }

  private void play(WebSocketTransport transport, Scenario fromPath, int connection) {
    FirstHello first;
    try {
      first = FirstHello.read(transport.input());
    } catch (IOException e) {
      transport.close();
      report.accept(Verdict.fail(fromPath == null ? "-" : fromPath.label(), connection,
          "the connection ended before the client's hello (" + e.getMessage() + "); §1: the initiator writes its"
          + " hello first"));
      return;
    }
    if (first.isResume()) {
      served.serve(first.replayed(transport), transport::disconnect, connection, true, false);
      return;
    }
    Scenario scenario = fromPath != null ? fromPath
        : settings.atRoot().get(Math.floorMod(rootTurn.getAndIncrement(), settings.atRoot().size()));
    if (scenario == Scenario.NORMAL || scenario == Scenario.CUT) {
      served.serve(first.replayed(transport), transport::disconnect, connection, false, scenario == Scenario.CUT);
      return;
    }
    if (first.hello() == null || first.hello().major() != 1) {
      transport.close();
      report.accept(Verdict.fail(scenario.label(), connection, first.hello() == null
          ? "the client sent no Tether hello (§2.1: it starts with TETHER, major 1, minor 0)"
          : "the client's hello says major " + first.hello().major() + "; this document is major 1 (§2.1)"));
      return;
    }
    new ScriptedAcceptor(scenario, connection, transport, first.hello(), report).run();
  }

  private static void refuse(Response response, Callback callback, int status, String reason) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    Content.Sink.write(response, true, "tether conformance peer: " + reason + "\n", callback);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping is best effort: the process is ending or the test is done
    }
  }

  /** {@link UpgradePolicy} on every request, then the scenario path, before the upgrade handler sees it. */
  private final class Gate extends Handler.Wrapper {
    Gate(Handler next) {
      super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      UpgradePolicy current = policy;
      if (current == null) {
        refuse(response, callback, 503, "starting");
        return true;
      }
      List<String> subprotocols = new ArrayList<>();
      for (String value : request.getHeaders().getValuesList(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL)) {
        for (String offered : value.split(",")) {
          subprotocols.add(offered.strip());
        }
      }
      UpgradePolicy.Refusal refusal = current.check(request.getHttpURI().getQuery(),
          request.getHeaders().get(HttpHeader.HOST), request.getHeaders().get(HttpHeader.ORIGIN),
          request.getHeaders().get(HttpHeader.AUTHORIZATION), subprotocols);
      if (refusal != null) {
        refuse(response, callback, refusal.status(), refusal.reason());
        return true;
      }
      String path = request.getHttpURI().getPath();
      if (!"/".equals(path) && scenarioOf(path) == null) {
        refuse(response, callback, 404, "no scenario at '" + UpgradePolicy.printable(path) + "'; use / or "
            + SCENARIO_PATH + "NAME with NAME one of " + Scenario.labels());
        return true;
      }
      if (super.handle(request, response, callback)) {
        return true;
      }
      refuse(response, callback, 426, "this endpoint serves WebSocket upgrades only");
      return true;
    }
  }
}
