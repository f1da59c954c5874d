package dev.tether.local.ws;

import java.net.URI;
import java.net.URISyntaxException;

/** A {@code ws://host:port[/path]} or {@code wss://...} DESTINATION. */
public final class WsDestination {
  private WsDestination() {}

  public static boolean is(String destination) {
    return destination != null && (destination.startsWith("ws://") || destination.startsWith("wss://"));
  }

  /**
   * The URI to connect to. A query string is refused here already: the server refuses it too, since
   * a token there would end up in logs.
   */
  public static URI parse(String destination) throws IllegalArgumentException {
    URI uri;
    try {
      uri = new URI(destination);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + destination + "' is not a ws:// or wss:// URL: " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("'" + destination + "' names no host (ws://HOST:PORT[/PATH])");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("a WebSocket destination takes no query string or fragment; give the token"
          + " with --token-file FILE or TETHER_TOKEN, never in the URL");
    }
    if (uri.getPath() == null || uri.getPath().isEmpty()) {
      uri = uri.resolve("/");
    }
    return uri;
  }
}
