package dev.tether.local.ssh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ssh-style command-line options: {@code -F configfile}, {@code -i identity} (repeatable),
 * {@code -p port}, {@code -J jump[,jump...]} and {@code -o Key=Value} (repeatable).
 *
 * <p>As in OpenSSH, the first {@code -o} value given for a key wins, command-line values win over
 * ssh_config, {@code -p} wins over {@code -o Port} and {@code -J} over {@code -o ProxyJump}.
 * Option keys are case-insensitive. Unknown keys are refused (a typo must not silently weaken
 * host-key checking); a few OpenSSH options that only tune behaviour we do not have are accepted
 * and ignored, so existing editor set-ups keep working. Immutable and thread-safe.
 */
public final class SshOptions {
  /** Keys this layer implements, in their canonical spelling. */
  public static final Set<String> SUPPORTED = Set.of(
      "StrictHostKeyChecking", "UserKnownHostsFile", "IdentityFile", "IdentitiesOnly", "User", "Port",
      "HostName", "ProxyJump", "ConnectTimeout", "BatchMode", "HashKnownHosts", "HostKeyAlias",
      "PasswordAuthentication", "KbdInteractiveAuthentication", "PubkeyAuthentication");

  /** OpenSSH keys accepted for compatibility but without effect here. */
  public static final Set<String> IGNORED = Set.of(
      "ServerAliveInterval", "ServerAliveCountMax", "TCPKeepAlive", "LogLevel", "Compression",
      "ControlMaster", "ControlPath", "ControlPersist", "ForwardAgent", "AddKeysToAgent", "IdentityAgent",
      "SendEnv", "SetEnv", "RequestTTY", "CheckHostIP", "UpdateHostKeys", "VisualHostKey",
      "GlobalKnownHostsFile", "PreferredAuthentications", "AddressFamily", "ExitOnForwardFailure");

  private static final Map<String, String> CANONICAL = canonicalNames();

  private final Path configFile;
  private final List<Path> identities;
  private final Integer port;
  private final String jump;
  private final Map<String, String> options;

  private SshOptions(Builder b) {
    this.configFile = b.configFile;
    this.identities = List.copyOf(b.identities);
    this.port = b.port;
    this.jump = b.jump;
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
  }

  /** No options: ~/.ssh/config and defaults only. */
  public static SshOptions none() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code -F} file, which replaces ~/.ssh/config. */
  public Optional<Path> configFile() {
    return Optional.ofNullable(configFile);
  }

  /** The {@code -i} files in command-line order (before {@code -o IdentityFile} and ssh_config ones). */
  public List<Path> identities() {
    return identities;
  }

  /** The {@code -p} port, or else {@code -o Port}. */
  public OptionalInt port() {
    if (port != null) {
      return OptionalInt.of(port);
    }
    return option("Port").map(p -> OptionalInt.of(SshDestination.parsePort("-o Port", p))).orElse(OptionalInt.empty());
  }

  /** The {@code -J} list, or else {@code -o ProxyJump}. */
  public Optional<String> jump() {
    return jump != null ? Optional.of(jump) : option("ProxyJump");
  }

  /** The first {@code -o} value given for {@code key} (any case). */
  public Optional<String> option(String key) {
    String canonical = CANONICAL.get(key.toLowerCase(Locale.ROOT));
    return Optional.ofNullable(canonical == null ? null : options.get(canonical));
  }

  /** All {@code -o} options in canonical spelling, first value per key. */
  public Map<String, String> options() {
    return options;
  }

  /**
   * Accumulates options in command-line order. Not thread-safe; each setter validates at once
   * and throws {@link SshFailure.Kind#USAGE} with the offending flag.
   */
  public static final class Builder {
    private Path configFile;
    private final List<Path> identities = new ArrayList<>();
    private Integer port;
    private String jump;
    private final Map<String, String> options = new LinkedHashMap<>();

    private Builder() {
    }

    public Builder configFile(Path file) {
      this.configFile = file;
      return this;
    }

    public Builder identity(Path file) {
      identities.add(file);
      return this;
    }

    public Builder port(int port) {
      this.port = SshDestination.parsePort("-p", Integer.toString(port));
      return this;
    }

    public Builder jump(String jumps) {
      if (jumps == null || jumps.isBlank()) {
        throw new SshFailure(SshFailure.Kind.USAGE, "-J needs a jump host: [user@]host[:port][,...]");
      }
      this.jump = jumps.strip();
      return this;
    }

    /** One {@code -o} argument: {@code Key=Value} or {@code Key Value}. */
    public Builder option(String keyValue) {
      String s = keyValue == null ? "" : keyValue.strip();
      int split = indexOfSeparator(s);
      if (split <= 0 || split == s.length() - 1) {
        throw new SshFailure(SshFailure.Kind.USAGE, "bad -o option '" + keyValue + "': expected Key=Value");
      }
      return option(s.substring(0, split).strip(), s.substring(split + 1).strip());
    }

    public Builder option(String key, String value) {
      String canonical = CANONICAL.get(key.toLowerCase(Locale.ROOT));
      if (canonical == null) {
        throw new SshFailure(SshFailure.Kind.USAGE, "unsupported ssh option '" + key
            + "' (supported: " + String.join(", ", new TreeMap<>(nameMap(SUPPORTED)).values()) + ")");
      }
      validate(canonical, value);
      options.putIfAbsent(canonical, value);
      return this;
    }

    public SshOptions build() {
      return new SshOptions(this);
    }

    private static int indexOfSeparator(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '=' || Character.isWhitespace(c)) {
          return i;
        }
      }
      return -1;
    }
  }

  private static void validate(String key, String value) {
    switch (key) {
      case "StrictHostKeyChecking" -> HostKeyChecking.parse(value);
      case "Port" -> SshDestination.parsePort("-o Port", value);
      case "ConnectTimeout" -> parseSeconds(value);
      case "BatchMode", "HashKnownHosts", "IdentitiesOnly", "PasswordAuthentication",
          "KbdInteractiveAuthentication", "PubkeyAuthentication" -> parseYesNo(key, value);
      default -> {
        // free-form values (paths, names)
      }
    }
  }

  static boolean parseYesNo(String key, String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "yes", "true", "on" -> {
        return true;
      }
      case "no", "false", "off" -> {
        return false;
      }
      default -> throw new SshFailure(SshFailure.Kind.USAGE, "bad value '" + value + "' for " + key + " (expected yes or no)");
    }
  }

  static int parseSeconds(String value) {
    try {
      int seconds = Integer.parseInt(value.strip());
      if (seconds > 0) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new SshFailure(SshFailure.Kind.USAGE, "bad ConnectTimeout '" + value + "' (expected whole seconds > 0)");
  }

  private static Map<String, String> canonicalNames() {
    Map<String, String> m = new TreeMap<>();
    m.putAll(nameMap(SUPPORTED));
    m.putAll(nameMap(IGNORED));
    return Map.copyOf(m);
  }

  private static Map<String, String> nameMap(Set<String> names) {
    Map<String, String> m = new TreeMap<>();
    names.forEach(n -> m.put(n.toLowerCase(Locale.ROOT), n));
    return m;
  }
}
