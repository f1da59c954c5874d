package dev.tether.adapters.ws;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether an upgrade request may open a session, from its headers alone, before anything is
 * served. Pure: no I/O, unit-tested alone. The checks, in order:
 * <ol>
 *   <li>a query string is refused (400): a token there would end up in proxies' and browsers' logs;</li>
 *   <li>Host must name the listen address (with its port) or an {@code --allow-host} (421): a page
 *       whose DNS name was rebound to this address sends its own name;</li>
 *   <li>Origin, when present (a browser), must be an {@code --allow-origin} (403): any web page can
 *       open a WebSocket to any address;</li>
 *   <li>the token, from {@code Authorization: Bearer} or an offered {@code tether.token.HEX}
 *       subprotocol, must match (401).</li>
 * </ol>
 */
public final class UpgradePolicy {
  /** A refused request: the HTTP status and the one line that says why (no secret in it). */
  public record Refusal(int status, String reason) {}

  private final ConnectionToken token;
  private final HostRule hosts;
  private final Set<String> allowOrigins;

  /**
   * @param listenNames the names that reach the listen address (what was given to --listen, and for
   *     a loopback address also localhost, 127.0.0.1 and ::1), accepted with the listen port only
   * @param allowHosts further names, accepted with any port (a proxy in front may use another one)
   */
  public UpgradePolicy(ConnectionToken token, List<String> listenNames, int port, List<String> allowHosts,
      List<String> allowOrigins) {
    this.token = token;
    this.hosts = new HostRule(listenNames, port, allowHosts);
    this.allowOrigins = lower(allowOrigins);
  }

  private static Set<String> lower(List<String> names) {
    Set<String> out = new TreeSet<>();
    for (String name : names) {
      out.add(name.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** The refusal for this request, or null when it may upgrade. */
  public Refusal check(String query, String host, String origin, String authorization, List<String> subprotocols) {
    if (query != null && !query.isEmpty()) {
      return new Refusal(400, "a query string is refused (a token there would be logged); send the token as"
          + " Authorization: Bearer or as the " + WsLimits.TOKEN_SUBPROTOCOL_PREFIX + "HEX subprotocol");
    }
    if (!hosts.allows(host)) {
      return new Refusal(421, "Host '" + printable(host) + "' is not this server's address; start it with"
          + " --allow-host NAME for a name clients use");
    }
    if (origin != null && !allowOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
      return new Refusal(403, "Origin '" + printable(origin) + "' is not allowed; start the server with"
          + " --allow-origin " + printable(origin) + " to let that page in");
    }
    String presented = presentedToken(authorization, subprotocols);
    if (presented == null) {
      return new Refusal(401, "no token: send Authorization: Bearer TOKEN (or the "
          + WsLimits.TOKEN_SUBPROTOCOL_PREFIX + "TOKEN subprotocol from a browser)");
    }
    if (!token.matches(presented)) {
      return new Refusal(401, "wrong token");
    }
    return null;
  }

  private static String presentedToken(String authorization, List<String> subprotocols) {
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).strip();
    }
    for (String offered : subprotocols) {
      if (offered.startsWith(WsLimits.TOKEN_SUBPROTOCOL_PREFIX)) {
        return offered.substring(WsLimits.TOKEN_SUBPROTOCOL_PREFIX.length());
      }
    }
    return null;
  }

  /** A header value fit for one log line: control characters out, length bounded. */
  public static String printable(String value) {
    return HostRule.printable(value);
  }
}
