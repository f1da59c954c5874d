package dev.tether.local.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.client.config.hosts.HostConfigEntry;

/**
 * The {@code LocalForward} lines of ssh_config that apply to a host, in file order. MINA's parser
 * keeps only the last value of a repeated keyword (right for most keywords, wrong for this one, which
 * OpenSSH accumulates over every matching {@code Host} block), so the lines are read here; the
 * {@code Host} pattern matching (wildcards, negation) is still MINA's. {@code Match} blocks are skipped.
 */
public final class LocalForwards {
  /** One line: listen on {@code bindHost:port} here (bindHost null: loopback), connect to {@code host:hostPort} on the host. */
  public record Spec(String bindHost, int port, String host, int hostPort, String line) {}

  private LocalForwards() {}

  /** The lines for {@code alias} (the host as written on the command line) in {@code config}; none when it is absent. */
  public static List<Spec> read(Path config, String alias) throws IOException {
    if (!Files.isRegularFile(config)) {
      return List.of();
    }
    List<HostConfigEntry> blocks = new ArrayList<>();
    Map<HostConfigEntry, List<String>> lines = new IdentityHashMap<>();
    HostConfigEntry all = new HostConfigEntry();
    all.setHost("*"); // lines before the first Host apply to every host
    HostConfigEntry current = all;
    blocks.add(all);
    for (String raw : Files.readAllLines(config, StandardCharsets.UTF_8)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] kv = line.split("[\\s=]+", 2);
      String key = kv[0];
      String value = kv.length > 1 ? kv[1].strip() : "";
      if (key.equalsIgnoreCase("Host")) {
        current = new HostConfigEntry();
        current.setHost(HostConfigEntry.parseConfigValue(value));
        blocks.add(current);
      } else if (key.equalsIgnoreCase("Match")) {
        current = null;
      } else if (key.equalsIgnoreCase("LocalForward") && current != null) {
        lines.computeIfAbsent(current, k -> new ArrayList<>()).add(value);
      }
    }
    Set<HostConfigEntry> matching = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    matching.addAll(HostConfigEntry.findMatchingEntries(alias, blocks));
    List<Spec> specs = new ArrayList<>();
    for (HostConfigEntry block : blocks) {
      if (matching.contains(block)) {
        for (String value : lines.getOrDefault(block, List.of())) {
          specs.add(parse(value, config));
        }
      }
    }
    return specs;
  }

  /** {@code [bind_address:]port host:hostport}; IPv6 addresses in brackets. */
  static Spec parse(String value, Path config) {
    String[] parts = value.split("\\s+");
    if (parts.length != 2) {
      throw bad(value, config, "expected '[bind_address:]port host:hostport' (Unix socket forwards are not supported)");
    }
    int colon = parts[0].lastIndexOf(':');
    String bind = colon < 0 ? null : unbracket(parts[0].substring(0, colon));
    int port = port(colon < 0 ? parts[0] : parts[0].substring(colon + 1), value, config);
    int hostColon = parts[1].lastIndexOf(':');
    if (hostColon <= 0) {
      throw bad(value, config, "the target must be host:hostport");
    }
    String host = unbracket(parts[1].substring(0, hostColon));
    int hostPort = port(parts[1].substring(hostColon + 1), value, config);
    if (bind != null && (bind.isEmpty() || bind.equals("*"))) {
      bind = "0.0.0.0";
    } else if ("localhost".equals(bind)) {
      bind = null;
    }
    return new Spec(bind, port, host, hostPort, "LocalForward " + value);
  }

  private static int port(String text, String value, Path config) {
    try {
      int port = Integer.parseInt(text);
      if (port > 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw bad(value, config, "'" + text + "' is not a port number 1-65535");
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static IllegalArgumentException bad(String value, Path config, String why) {
    return new IllegalArgumentException("bad 'LocalForward " + value + "' in " + config + ": " + why);
  }
}
