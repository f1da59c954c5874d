package dev.tether.local.ssh.internal;

import dev.tether.local.ssh.HostKeyChecking;
import dev.tether.local.ssh.SshDestination;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.local.ssh.SshFailure;
import dev.tether.local.ssh.SshOptions;
import dev.tether.local.ssh.SshTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;

/**
 * Turns DESTINATION + options + ssh_config into {@link SshTarget}s with OpenSSH precedence:
 * command line first, then the first matching ssh_config value, then defaults.
 *
 * <p>Parsing and {@code Host} pattern matching are MINA's ({@link HostConfigEntry}); this class only
 * layers the command line on top and expands {@code ~} and {@code %d} against the injected home
 * (MINA would use the JVM's {@code user.home}). Only the user's file is read (or the {@code -F} file),
 * not /etc/ssh/ssh_config. Stateless apart from the parsed file; thread-safe.
 */
public final class SshConfigResolver {
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> DEFAULT_IDENTITIES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

  private final SshEnvironment env;

  public SshConfigResolver(SshEnvironment env) {
    this.env = env;
  }

  /** Resolves the target and its ProxyJump hops. */
  public SshTarget resolve(SshDestination destination, SshOptions options) {
    Config config = loadConfig(options);
    Integer port = destination.port() != SshDestination.NO_PORT ? Integer.valueOf(destination.port())
        : options.port().isPresent() ? Integer.valueOf(options.port().getAsInt()) : null;
    String user = destination.user() != null ? destination.user() : options.option("User").orElse(null);
    HostConfigEntry entry = lookUp(config, destination.host(), port, user);
    SshTarget target = hop(destination.host(), user != null ? user : config.user(destination.host()), entry, options, true);
    String jumpSpec = options.jump().orElse(entry.getProxyJump());
    return target.withJumps(jumps(config, jumpSpec, options));
  }

  private List<SshTarget> jumps(Config config, String spec, SshOptions options) {
    List<SshTarget> hops = new ArrayList<>();
    if (spec == null || spec.isBlank() || spec.strip().equalsIgnoreCase("none")) {
      return hops;
    }
    for (String part : spec.split(",")) {
      SshDestination jump = SshDestination.parse(part.strip());
      Integer port = jump.port() == SshDestination.NO_PORT ? null : jump.port();
      String user = jump.user() != null ? jump.user() : config.user(jump.host());
      hops.add(hop(jump.host(), user, lookUp(config, jump.host(), port, jump.user()), options, false));
    }
    return hops;
  }

  /** Applies the command-line options on top of one resolved ssh_config entry. */
  private SshTarget hop(String alias, String explicitUser, HostConfigEntry entry, SshOptions options, boolean isTarget) {
    Settings s = new Settings(entry, options, isTarget);
    String hostName = isTarget ? options.option("HostName").orElse(entry.getHostName()) : entry.getHostName();
    // MINA fills in the OS user when ssh_config has none; the injected local user is the default here.
    String user = explicitUser != null ? explicitUser : env.localUser();
    List<Path> identities = identities(entry, options);
    boolean defaults = identities.isEmpty();
    if (defaults) {
      DEFAULT_IDENTITIES.forEach(name -> identities.add(env.sshDirectory().resolve(name)));
    }
    return new SshTarget(alias, hostName, entry.getPort(), user, identities, defaults,
        s.get("StrictHostKeyChecking").map(HostKeyChecking::parse).orElse(HostKeyChecking.STRICT),
        knownHostsFile(s), s.flag("HashKnownHosts", false), s.get("HostKeyAlias").orElse(null),
        s.get("ConnectTimeout").map(v -> Duration.ofSeconds(parseSeconds(v))).orElse(DEFAULT_CONNECT_TIMEOUT),
        s.flag("BatchMode", false), s.flag("PubkeyAuthentication", true),
        s.flag("PasswordAuthentication", true), s.flag("KbdInteractiveAuthentication", true), List.of());
  }

  private List<Path> identities(HostConfigEntry entry, SshOptions options) {
    List<Path> ids = new ArrayList<>();
    options.identities().forEach(p -> ids.add(env.expand(p.toString())));
    options.option("IdentityFile").ifPresent(p -> ids.add(env.expand(p)));
    entry.getIdentities().forEach(p -> ids.add(env.expand(p)));
    return ids.stream().distinct().collect(ArrayList::new, ArrayList::add, ArrayList::addAll);
  }

  private Path knownHostsFile(Settings s) {
    // OpenSSH allows several files; the first is the one written to, and the only one we use.
    return s.get("UserKnownHostsFile")
        .map(v -> v.strip().split("\\s+")[0])
        .map(env::expand)
        .orElse(env.sshDirectory().resolve("known_hosts"));
  }

  private static HostConfigEntry lookUp(Config config, String host, Integer port, String user) {
    try {
      HostConfigEntry e = config.resolver().resolveEffectiveHost(host, port == null ? 0 : port, null, user, null, null);
      if (e == null) {
        e = new HostConfigEntry(host, host, port == null ? 22 : port, user);
      }
      if (e.getPort() <= 0) {
        e.setPort(22);
      }
      return e;
    } catch (IOException | RuntimeException e) {
      throw new SshFailure(SshFailure.Kind.CONFIG, "cannot apply ssh_config to '" + host + "': " + e.getMessage(), e);
    }
  }

  private Config loadConfig(SshOptions options) {
    Optional<Path> explicit = options.configFile();
    Path file = explicit.orElse(env.sshDirectory().resolve("config"));
    if (explicit.isEmpty() && !Files.exists(file)) {
      return new Config(List.of(), HostConfigEntryResolver.EMPTY);
    }
    try {
      List<HostConfigEntry> entries = HostConfigEntry.readHostConfigEntries(file);
      entries.forEach(this::expandHome);
      return new Config(entries, HostConfigEntry.toHostConfigEntryResolver(entries));
    } catch (NoSuchFileException e) {
      throw new SshFailure(SshFailure.Kind.CONFIG, "ssh config file " + file + " does not exist (given with -F)", e);
    } catch (IOException | RuntimeException e) {
      throw new SshFailure(SshFailure.Kind.CONFIG, "cannot read ssh config file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Pre-expands {@code ~} and {@code %d} so that MINA's own expansion never consults {@code user.home}. */
  private void expandHome(HostConfigEntry entry) {
    List<String> ids = new ArrayList<>();
    for (String id : entry.getIdentities()) {
      String s = id.replace("%d", env.home().toString());
      ids.add(s.equals("~") || s.startsWith("~/") ? env.expand(s).toString() : s);
    }
    entry.setIdentities(ids);
  }

  private static int parseSeconds(String value) {
    try {
      int seconds = Integer.parseInt(value.strip());
      if (seconds > 0) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // one message below
    }
    throw new SshFailure(SshFailure.Kind.CONFIG, "bad ConnectTimeout '" + value + "' (expected whole seconds > 0)");
  }

  /** The parsed file: MINA's resolver, plus the raw entries to tell a configured User from MINA's default. */
  private record Config(List<HostConfigEntry> entries, HostConfigEntryResolver resolver) {
    /** The first {@code User} of the entries matching {@code host}, or {@code null}. */
    String user(String host) {
      return HostConfigEntry.findMatchingEntries(host, entries).stream()
          .map(HostConfigEntry::getUsername)
          .filter(u -> u != null && !u.isBlank())
          .findFirst().orElse(null);
    }
  }

  /**
   * Command-line options that are about the destination's identity, so they do not apply to jump
   * hosts (OpenSSH's {@code -J} does not pass {@code -o} on either): {@code -o StrictHostKeyChecking=no}
   * for a throwaway destination must not switch off checking of the bastion in front of it. A jump
   * host's ssh_config entry still applies.
   */
  static final java.util.Set<String> DESTINATION_ONLY = java.util.Set.of("stricthostkeychecking", "hostkeyalias");

  /** Option lookup with command-line-over-config precedence. */
  private static final class Settings {
    private final HostConfigEntry entry;
    private final SshOptions options;
    private final boolean isTarget;

    Settings(HostConfigEntry entry, SshOptions options, boolean isTarget) {
      this.entry = entry;
      this.options = options;
      this.isTarget = isTarget;
    }

    Optional<String> get(String key) {
      Optional<String> cli = isTarget || !DESTINATION_ONLY.contains(key.toLowerCase(Locale.ROOT))
          ? options.option(key) : Optional.empty();
      return cli.isPresent() ? cli : Optional.ofNullable(entry.getProperty(key)).map(String::strip);
    }

    boolean flag(String key, boolean dflt) {
      return get(key).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
        case "yes", "true", "on" -> true;
        case "no", "false", "off" -> false;
        default -> throw new SshFailure(SshFailure.Kind.CONFIG, "bad value '" + v + "' for " + key + " (expected yes or no)");
      }).orElse(dflt);
    }
  }
}
