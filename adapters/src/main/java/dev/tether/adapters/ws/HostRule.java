package dev.tether.adapters.ws;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which {@code Host} header values reach a listening server: the names of its listen address with its
 * port, plus names allowed explicitly with any port. A page whose DNS name was rebound to this address
 * sends its own name, and is refused (DNS rebinding). Shared by {@code tether-remote serve} and
 * {@code tether web}. Pure: no I/O except {@link #isLoopback}'s name lookup.
 */
public final class HostRule {
  private final Set<String> listenNames;
  private final int port;
  private final Set<String> allowHosts;

  /**
   * @param listenNames the names that reach the listen address (see {@link #listenNames(String)}),
   *     accepted with the listen port only
   * @param allowHosts further names, accepted with any port (a proxy in front may use another one)
   */
  public HostRule(List<String> listenNames, int port, List<String> allowHosts) {
    this.listenNames = lower(listenNames);
    this.port = port;
    this.allowHosts = lower(allowHosts);
  }

  /** The names that reach {@code host}: itself, and every loopback spelling for a loopback address. */
  public static List<String> listenNames(String host) {
    List<String> names = new ArrayList<>(List.of(host));
    if (isLoopback(host)) {
      names.addAll(List.of("localhost", "127.0.0.1", "::1"));
    }
    return names;
  }

  /** Whether every address {@code host} names is a loopback address (false for an unknown name). */
  public static boolean isLoopback(String host) {
    try {
      InetAddress[] addresses = InetAddress.getAllByName(host);
      for (InetAddress address : addresses) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return addresses.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Whether a request with this {@code Host} header value is addressed to this server. */
  public boolean allows(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String value = host.toLowerCase(Locale.ROOT);
    String name = value;
    String hostPort = null;
    int colon = value.lastIndexOf(':');
    if (colon >= 0 && colon > value.lastIndexOf(']')) {
      name = value.substring(0, colon);
      hostPort = value.substring(colon + 1);
    }
    name = unbracket(name);
    if (allowHosts.contains(name)) {
      return true;
    }
    return listenNames.contains(name) && (hostPort == null ? port == 80 || port == 443 : hostPort.equals(Integer.toString(port)));
  }

  /** A header value fit for one log line: control characters out, length bounded. */
  public static String printable(String value) {
    if (value == null) {
      return "";
    }
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }

  private static Set<String> lower(List<String> names) {
    Set<String> out = new TreeSet<>();
    for (String name : names) {
      out.add(unbracket(name.toLowerCase(Locale.ROOT)));
    }
    return out;
  }

  private static String unbracket(String name) {
    return name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
  }
}
