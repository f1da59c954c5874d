package dev.tether.adapters.ws;

/**
 * What both ends of a Tether WebSocket agree on (docs/PROTOCOL.md, "WebSocket mapping"): the
 * subprotocol names, how a token travels, and the largest message.
 */
public final class WsLimits {
  /** The largest binary message either side sends; a larger one closes the WebSocket (1009). */
  public static final int MAX_MESSAGE = 64 * 1024;

  /** The subprotocol the server accepts: a browser must offer it, a program may. */
  public static final String SUBPROTOCOL = "tether.v1";

  /**
   * How a browser, which cannot set headers on a WebSocket, sends the token: as one more offered
   * subprotocol, {@code tether.token.HEX}. The server never selects (echoes) it.
   */
  public static final String TOKEN_SUBPROTOCOL_PREFIX = "tether.token.";

  private WsLimits() {}
}
