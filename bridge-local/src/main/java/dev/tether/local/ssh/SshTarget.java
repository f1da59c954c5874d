package dev.tether.local.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One SSH hop after ssh_config and the command line were applied: what {@link SshConnector} will
 * actually connect to and how. Immutable; {@code tether doctor} can print it.
 *
 * @param alias              the name as typed (what ssh_config {@code Host} patterns matched)
 * @param hostName           the name or address connected to
 * @param port               the TCP port
 * @param user               the remote user
 * @param identities         key files to offer, in order
 * @param defaultIdentities  true when {@code identities} are OpenSSH's defaults (missing ones are skipped quietly)
 * @param hostKeyChecking    the StrictHostKeyChecking policy
 * @param knownHostsFile     the UserKnownHostsFile read and (for accept-new) written
 * @param hashKnownHosts     whether new known_hosts entries are hashed
 * @param hostKeyAlias       the name to look up in known_hosts instead of host/port, or {@code null}
 * @param connectTimeout     the TCP connect timeout (also bounds the SSH handshake)
 * @param batchMode          true: never prompt
 * @param pubkeyAuth         whether public-key authentication is used
 * @param passwordAuth       whether password authentication is used (needs a prompter)
 * @param kbdInteractiveAuth whether keyboard-interactive authentication is used (needs a prompter)
 * @param jumps              ProxyJump hops in order, each without jumps of its own; empty for a direct connection
 */
public record SshTarget(
    String alias,
    String hostName,
    int port,
    String user,
    List<Path> identities,
    boolean defaultIdentities,
    HostKeyChecking hostKeyChecking,
    Path knownHostsFile,
    boolean hashKnownHosts,
    String hostKeyAlias,
    Duration connectTimeout,
    boolean batchMode,
    boolean pubkeyAuth,
    boolean passwordAuth,
    boolean kbdInteractiveAuth,
    List<SshTarget> jumps) {

  public SshTarget {
    identities = List.copyOf(identities);
    jumps = List.copyOf(jumps);
  }

  /** {@code host:port}, with brackets around an IPv6 literal, as shown in messages. */
  public String address() {
    return (hostName.contains(":") ? "[" + hostName + "]" : hostName) + ":" + port;
  }

  /** {@code user@host:port}. */
  public String display() {
    return user + "@" + address();
  }

  /** The host name looked up in known_hosts: the HostKeyAlias if set, else the host name. */
  public String knownHostsName() {
    return hostKeyAlias != null ? hostKeyAlias : hostName;
  }

  /** The known_hosts pattern OpenSSH uses for this hop: {@code host} on port 22, else {@code [host]:port}. */
  public String knownHostsPattern() {
    return port == 22 ? knownHostsName() : "[" + knownHostsName() + "]:" + port;
  }

  /** A copy with the given jump hops. */
  public SshTarget withJumps(List<SshTarget> hops) {
    return new SshTarget(alias, hostName, port, user, identities, defaultIdentities, hostKeyChecking,
        knownHostsFile, hashKnownHosts, hostKeyAlias, connectTimeout, batchMode, pubkeyAuth,
        passwordAuth, kbdInteractiveAuth, hops);
  }
}
