package dev.tether.local.ssh;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The DESTINATION argument as the user typed it: {@code [user@]host[:port]}, an ssh_config
 * {@code Host} alias, or {@code ssh://[user@]host[:port]}. IPv6 literals are written in brackets
 * ({@code user@[::1]:2222}); a bare IPv6 literal without a port is accepted too.
 *
 * <p>Nothing is resolved here: {@link SshConnector#resolve} applies ssh_config and the options.
 * Immutable and thread-safe.
 *
 * @param user the user before {@code @}, or {@code null} when not given
 * @param host the host name, address or ssh_config alias; never empty
 * @param port the port, or {@link #NO_PORT} when not given
 */
public record SshDestination(String user, String host, int port) {
  public static final int NO_PORT = -1;

  public SshDestination {
    if (host == null || host.isBlank()) {
      throw new SshFailure(SshFailure.Kind.USAGE, "SSH destination has no host name");
    }
    if (user != null && user.isEmpty()) {
      throw new SshFailure(SshFailure.Kind.USAGE, "SSH destination '@" + host + "' has an empty user name");
    }
    if (port != NO_PORT && (port < 1 || port > 65535)) {
      throw new SshFailure(SshFailure.Kind.USAGE, "SSH port " + port + " is out of range (1-65535)");
    }
  }

  /** Parses a DESTINATION; a malformed one fails with {@link SshFailure.Kind#USAGE}. */
  public static SshDestination parse(String text) {
    if (text == null || text.isBlank()) {
      throw new SshFailure(SshFailure.Kind.USAGE, "missing SSH destination ([user@]host[:port], an ssh_config alias or ssh://...)");
    }
    String trimmed = text.strip();
    return trimmed.regionMatches(true, 0, "ssh://", 0, 6) ? parseUri(trimmed) : parsePlain(trimmed);
  }

  public Optional<String> userIfGiven() {
    return Optional.ofNullable(user);
  }

  public OptionalInt portIfGiven() {
    return port == NO_PORT ? OptionalInt.empty() : OptionalInt.of(port);
  }

  private static SshDestination parseUri(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new SshFailure(SshFailure.Kind.USAGE, "malformed SSH URI '" + text + "': " + e.getReason());
    }
    String path = uri.getRawPath();
    if (uri.getHost() == null || (path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
      throw new SshFailure(SshFailure.Kind.USAGE, "malformed SSH URI '" + text + "': expected ssh://[user@]host[:port]");
    }
    return new SshDestination(uri.getUserInfo(), stripBrackets(uri.getHost()), uri.getPort());
  }

  private static SshDestination parsePlain(String text) {
    int at = text.lastIndexOf('@');
    String user = at < 0 ? null : text.substring(0, at);
    String hostPort = text.substring(at + 1);
    if (hostPort.startsWith("[")) {
      return parseBracketed(text, user, hostPort);
    }
    int colon = hostPort.indexOf(':');
    if (colon < 0 || colon != hostPort.lastIndexOf(':')) {
      // No colon, or several: a bare IPv6 literal has no port.
      return new SshDestination(user, hostPort, NO_PORT);
    }
    return new SshDestination(user, hostPort.substring(0, colon), parsePort(text, hostPort.substring(colon + 1)));
  }

  private static SshDestination parseBracketed(String text, String user, String hostPort) {
    int close = hostPort.indexOf(']');
    if (close < 0) {
      throw new SshFailure(SshFailure.Kind.USAGE, "malformed SSH destination '" + text + "': missing ']'");
    }
    String rest = hostPort.substring(close + 1);
    if (!rest.isEmpty() && !rest.startsWith(":")) {
      throw new SshFailure(SshFailure.Kind.USAGE, "malformed SSH destination '" + text + "': expected ':port' after ']'");
    }
    int port = rest.isEmpty() ? NO_PORT : parsePort(text, rest.substring(1));
    return new SshDestination(user, hostPort.substring(1, close), port);
  }

  static int parsePort(String context, String digits) {
    try {
      int port = Integer.parseInt(digits);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // fall through to the one message below
    }
    throw new SshFailure(SshFailure.Kind.USAGE, "bad port '" + digits + "' in '" + context + "' (expected 1-65535)");
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** The destination in {@code [user@]host[:port]} form, brackets around IPv6 literals with a port. */
  @Override
  public String toString() {
    String h = port != NO_PORT && host.contains(":") ? "[" + host + "]" : host;
    return (user == null ? "" : user + "@") + h + (port == NO_PORT ? "" : ":" + port);
  }
}
