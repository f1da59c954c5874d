package dev.tether.remote.ws;

import dev.tether.adapters.ws.HostRule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code tether-remote serve} and the checks that need no network: where to listen,
 * the token file, TLS (a keystore or a self-signed certificate), the Origin and Host allow-lists and
 * the limits. Plain ws is refused anywhere but on a loopback address.
 */
public final class WsServe {
  public static final String USAGE = "tether-remote serve --listen HOST:PORT [--token-file FILE]"
      + " [--tls-keystore FILE | --tls-self-signed] [--allow-origin ORIGIN]... [--allow-host NAME]..."
      + " [--max-connections N] [--idle-timeout SECONDS] [--log FILE]";

  public String host;
  public int port = -1;
  public Path tokenFile;
  public Path keystore;
  public boolean selfSigned;
  public final List<String> allowOrigins = new ArrayList<>();
  public final List<String> allowHosts = new ArrayList<>();
  public int maxConnections = 16;
  public Duration idleTimeout = Duration.ofSeconds(60);
  public Path log;

  /** Parses the arguments after {@code serve}; a usage error is an IllegalArgumentException. */
  public static WsServe parse(String[] args, int from) {
    WsServe options = new WsServe();
    for (int i = from; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--listen" -> options.listen(value(args, ++i, arg));
        case "--token-file" -> options.tokenFile = Path.of(value(args, ++i, arg));
        case "--tls-keystore" -> options.keystore = Path.of(value(args, ++i, arg));
        case "--tls-self-signed" -> options.selfSigned = true;
        case "--allow-origin" -> options.allowOrigins.add(value(args, ++i, arg));
        case "--allow-host" -> options.allowHosts.add(value(args, ++i, arg));
        case "--max-connections" -> options.maxConnections = positive(value(args, ++i, arg), arg);
        case "--idle-timeout" -> options.idleTimeout = Duration.ofSeconds(positive(value(args, ++i, arg), arg));
        case "--log" -> options.log = Path.of(value(args, ++i, arg));
        default -> throw new IllegalArgumentException("unknown option " + arg + "\nusage: " + USAGE);
      }
    }
    if (options.host == null) {
      throw new IllegalArgumentException("serve needs --listen HOST:PORT\nusage: " + USAGE);
    }
    if (options.keystore != null && options.selfSigned) {
      throw new IllegalArgumentException("--tls-keystore and --tls-self-signed exclude each other");
    }
    if (!options.tls() && !isLoopback(options.host)) {
      throw new IllegalArgumentException("plain ws is served on a loopback address only: " + options.host
          + " is reachable from other machines, where the token would cross the network in clear;"
          + " add --tls-self-signed or --tls-keystore FILE, or listen on 127.0.0.1");
    }
    return options;
  }

  public boolean tls() {
    return keystore != null || selfSigned;
  }

  private void listen(String address) {
    if (address.startsWith("unix:")) {
      throw new IllegalArgumentException("serve listens on TCP (HOST:PORT); over SSH the agent needs no listener");
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--listen takes HOST:PORT, not '" + address + "'");
    }
    String name = address.substring(0, colon);
    host = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--listen takes HOST:PORT, not '" + address + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range");
    }
  }

  /** Whether every address {@code host} names is a loopback one (a wildcard address is not). */
  public static boolean isLoopback(String host) {
    return HostRule.isLoopback(host);
  }

  /** The names a self-signed certificate lists: the listen host (unless a wildcard), --allow-host, loopback. */
  public List<String> certificateNames() {
    List<String> names = new ArrayList<>();
    if (!host.equals("0.0.0.0") && !host.equals("::")) {
      names.add(host);
    }
    names.addAll(allowHosts);
    for (String loopback : List.of("localhost", "127.0.0.1")) {
      if (!names.contains(loopback)) {
        names.add(loopback);
      }
    }
    return names;
  }

  /** Prints what a client needs: the URL, where the token is, the certificate's fingerprint. */
  public static void announce(PrintStream err, WsServer server, String host, Path tokenFile, String fingerprint) {
    String shown = host.contains(":") ? "[" + host + "]" : host;
    // The certificate first: whoever waits for the "serving" line then has everything.
    if (fingerprint != null) {
      err.println("tether-remote: certificate " + fingerprint + " (clients: --fingerprint " + fingerprint + ")");
    }
    err.println("tether-remote: serving " + (server.secure() ? "wss" : "ws") + "://" + shown + ":" + server.port()
        + "/ (token in " + tokenFile + ")");
    err.flush();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static int positive(String value, String option) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(option + " takes a positive number, not '" + value + "'");
  }

}
