package dev.tether.conformance.ws;

import dev.tether.adapters.ws.WebSocketTransport;
import dev.tether.local.ws.WsConnector;
import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.remote.ws.TlsCertificate;
import dev.tether.remote.ws.WsServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The agent's real WebSocket endpoint ({@link WsServer}, Jetty) on 127.0.0.1 in this JVM, with a
 * token of its own and, for wss, a self-signed certificate made by keytool; clients connect through
 * the daemon's real connector ({@link WsConnector}).
 */
public final class WsFixture implements AutoCloseable {
  public final Path dir;
  public final String token;
  public final String fingerprint;
  public final WsServer server;
  public final BlockingQueue<WebSocketTransport> accepted = new LinkedBlockingQueue<>();

  private WsFixture(Path dir, String token, String fingerprint, WsServer server) {
    this.dir = dir;
    this.token = token;
    this.fingerprint = fingerprint;
    this.server = server;
  }

  /** A server that hands each open WebSocket to {@link #accepted} (or to {@code sessions} when given). */
  public static WsFixture start(boolean tls, List<String> allowOrigins, int maxConnections,
      Consumer<WebSocketTransport> sessions) throws Exception {
    Path dir = Files.createTempDirectory("tether-ws-");
    Path tokenFile = dir.resolve("token");
    ConnectionToken token = ConnectionToken.loadOrCreate(tokenFile);
    TlsCertificate certificate = tls ? TlsCertificate.selfSigned(dir, List.of("localhost", "127.0.0.1")) : null;
    WsFixture[] self = new WsFixture[1];
    Consumer<WebSocketTransport> sink = sessions != null ? sessions : t -> self[0].accepted.add(t);
    WsServer server = WsServer.start(new WsServer.Settings("127.0.0.1", 0,
        tls ? certificate.keyStore() : null, tls ? certificate.password() : null, List.of(), allowOrigins,
        maxConnections, Duration.ofSeconds(60)), token, sink);
    self[0] = new WsFixture(dir, Files.readString(tokenFile, StandardCharsets.US_ASCII).strip(),
        tls ? certificate.fingerprint() : null, server);
    return self[0];
  }

  public String url() {
    return (fingerprint != null ? "wss" : "ws") + "://127.0.0.1:" + server.port() + "/";
  }

  public WsConnector.Connected connect() throws Exception {
    return WsConnector.connect(url(), new WsConnector.Credentials(token, fingerprint));
  }

  public WebSocketTransport nextAccepted() throws InterruptedException {
    WebSocketTransport transport = accepted.poll(30, TimeUnit.SECONDS);
    if (transport == null) {
      throw new AssertionError("the server accepted no WebSocket within 30 s");
    }
    return transport;
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
