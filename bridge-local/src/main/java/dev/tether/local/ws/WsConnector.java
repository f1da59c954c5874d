package dev.tether.local.ws;

import dev.tether.adapters.ws.WebSocketTransport;
import dev.tether.adapters.ws.WsLimits;
import dev.tether.local.TetherException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.ssl.SslClientConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Opens the WebSocket to a {@code tether-remote serve} endpoint (Jetty's client) and turns every way
 * it can fail into one line that says what to do: a refused token, Host or Origin, an untrusted or
 * mismatched certificate, an unreachable address.
 */
public final class WsConnector {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

  /** How to authenticate: the token itself, and the certificate pin for wss (null: the system's trust). */
  public record Credentials(String token, String fingerprint) {}

  /** An open WebSocket: the session's transport, and what closing the connection stops. */
  public record Connected(WebSocketTransport transport, AutoCloseable connection) {}

  private WsConnector() {}

  /**
   * The token for a ws destination: {@code TETHER_TOKEN}'s value, else the file named (or
   * {@code ~/.tether/token}). Null when there is none; the server then answers 401, which says how.
   */
  public static String token(String fromEnvironment, Path tokenFile, Path home) throws IOException {
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment.strip();
    }
    Path file = tokenFile != null ? tokenFile : home.resolve(".tether").resolve("token");
    if (tokenFile == null && Files.notExists(file)) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new IOException("cannot read the token file " + file + ": " + e.getMessage(), e);
    }
  }

  public static Connected connect(String destination, Credentials credentials) throws TetherException {
    URI uri;
    try {
      uri = WsDestination.parse(destination);
    } catch (IllegalArgumentException e) {
      throw new TetherException(e.getMessage());
    }
    boolean secure = uri.getScheme().equals("wss");
    if (!secure && credentials.fingerprint() != null) {
      throw new TetherException("--fingerprint pins a TLS certificate: use wss:// (" + destination + " is plain ws)");
    }
    Supplier<String> seen = () -> null;
    HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(new HeapTlsBuffers()));
    try {
      SslContextFactory.Client tls = new SslContextFactory.Client();
      if (credentials.fingerprint() != null) {
        PinnedTrust pin = new PinnedTrust(credentials.fingerprint());
        tls.setSslContext(pin.context());
        tls.setEndpointIdentificationAlgorithm(null); // the pin names the certificate itself
        seen = pin::seen;
      } else {
        SystemTrust trust = new SystemTrust();
        tls.setSslContext(trust.context());
        seen = trust::seen;
      }
      http.setSslContextFactory(tls);
    } catch (IllegalArgumentException e) {
      throw new TetherException(e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new TetherException("cannot set up TLS: " + e.getMessage(), e);
    }
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("ws-client " + uri.getHost() + ":" + uri.getPort());
    threads.setDaemon(true);
    http.setExecutor(threads);
    http.setConnectTimeout(CONNECT_TIMEOUT.toMillis());

    WebSocketClient client = new WebSocketClient(http);
    client.setMaxBinaryMessageSize(WsLimits.MAX_MESSAGE);
    client.setMaxTextMessageSize(1024);
    client.setIdleTimeout(Duration.ofSeconds(60));
    AutoCloseable stop = () -> {
      client.stop();
      http.stop();
    };
    ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
    if (credentials.token() != null) {
      request.setHeader("Authorization", "Bearer " + credentials.token());
    }
    request.setSubProtocols(WsLimits.SUBPROTOCOL);
    WebSocketTransport transport = new WebSocketTransport(uri.getScheme() + " " + uri.getHost() + ":" + port(uri));
    try {
      http.start();
      client.start();
      client.connect(transport, request).get(CONNECT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      transport.opened().get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(stop);
      throw new TetherException("interrupted while connecting to " + destination);
    } catch (Exception e) {
      closeQuietly(stop);
      throw new TetherException(explain(destination, uri, e, credentials, seen.get()), e);
    }
    return new Connected(transport, () -> {
      transport.close();
      stop.close();
    });
  }

  /**
   * TLS records in heap buffers (Jetty's client default is direct): Java 17's AES-GCM hashes a direct
   * buffer by copying it into an array in pieces ({@code GHASH.processBlocksDirect}), which took a
   * quarter of the client's CPU in a wss read (docs/BENCHMARKS.md).
   */
  private static final class HeapTlsBuffers extends ClientConnector {
    @Override
    public ClientConnectionFactory newSslClientConnectionFactory(SslContextFactory.Client tls, ClientConnectionFactory next) {
      ClientConnectionFactory factory = super.newSslClientConnectionFactory(tls, next);
      if (factory instanceof SslClientConnectionFactory ssl) {
        ssl.setDirectBuffersForEncryption(false);
        ssl.setDirectBuffersForDecryption(false);
      }
      return factory;
    }
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("wss") ? 443 : 80;
  }

  /** One line: what went wrong and what to do about it. */
  static String explain(String destination, URI uri, Throwable failure, Credentials credentials, String seenFingerprint) {
    Throwable cause = failure instanceof ExecutionException && failure.getCause() != null ? failure.getCause() : failure;
    int status = statusOf(cause);
    String where = uri.getHost() + ":" + port(uri);
    switch (status) {
      case 401 -> {
        return credentials.token() == null
            ? destination + " wants a token: give --token-file FILE or TETHER_TOKEN (the server's token is in"
                + " ~/.tether/token on the host, or its --token-file)"
            : destination + " refused the token (401): it is not the one in the server's token file (~/.tether/token"
                + " on the host, or its --token-file); copy that one";
      }
      case 403 -> {
        return destination + " refused this client's Origin (403): start tether-remote serve with --allow-origin"
            + " ORIGIN for the page that connects";
      }
      case 421 -> {
        return destination + " refused the Host name '" + uri.getHost() + "' (421): connect to the address the server"
            + " listens on, or start tether-remote serve with --allow-host " + uri.getHost();
      }
      case 400 -> {
        return destination + " refused the request (400): take any query string out of the URL";
      }
      case 503 -> {
        return destination + " holds its maximum of connections (503): close some, or raise --max-connections";
      }
      case -1 -> { }
      default -> {
        return destination + " answered HTTP " + status + " instead of a WebSocket: is tether-remote serve listening"
            + " there, and the path right?";
      }
    }
    SSLException tls = find(cause, SSLException.class);
    if (tls != null) {
      if (credentials.fingerprint() != null) {
        return seenFingerprint == null
            ? "TLS with " + where + " failed: " + tls.getMessage()
            : "the certificate of " + where + " is " + seenFingerprint + ", not the pinned " + credentials.fingerprint()
                + ": the server changed its certificate or this is not your server; check its fingerprint on the host"
                + " (tether-remote serve prints it)";
      }
      return "the certificate of " + where + " is not trusted (" + untrustedBecause(tls, uri.getHost()) + ")"
          + (seenFingerprint == null ? "" : "; if it is the one your tether-remote serve printed, pin it with --fingerprint "
              + seenFingerprint);
    }
    if (find(cause, ConnectException.class) != null) {
      return "cannot reach " + where + ": connection refused; is tether-remote serve running there and listening on that"
          + " address and port?";
    }
    if (find(cause, UnknownHostException.class) != null) {
      return "cannot reach " + where + ": unknown host name " + uri.getHost();
    }
    if (find(cause, NoRouteToHostException.class) != null || find(cause, TimeoutException.class) != null
        || failure instanceof TimeoutException) {
      return "cannot reach " + where + " within " + CONNECT_TIMEOUT.toSeconds() + " s: check the address, and that no"
          + " firewall drops the port";
    }
    return "cannot open a WebSocket to " + destination + ": " + cause.getMessage();
  }

  private static String untrustedBecause(SSLException tls, String host) {
    String message = String.valueOf(tls.getMessage());
    if (message.contains("PKIX")) {
      return "no certificate authority this machine trusts signed it";
    }
    if (message.contains("subject alternative") || message.contains("No name matching")) {
      return "it does not name " + host;
    }
    return message;
  }

  private static int statusOf(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof org.eclipse.jetty.websocket.api.exceptions.UpgradeException upgrade && upgrade.getResponseStatusCode() > 0) {
        return upgrade.getResponseStatusCode();
      }
      if (e instanceof org.eclipse.jetty.websocket.core.exception.UpgradeException upgrade && upgrade.getResponseStatusCode() > 0) {
        return upgrade.getResponseStatusCode();
      }
    }
    return -1;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    return null;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // stopping a client that never connected
    }
  }
}
