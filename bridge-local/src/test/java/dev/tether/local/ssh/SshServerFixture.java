package dev.tether.local.ssh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real SSH server on 127.0.0.1 for tests, with a client key it accepts. */
public interface SshServerFixture extends AutoCloseable {
  default String host() {
    return "127.0.0.1";
  }

  int port();

  /** The user to log in as (the account running the tests). */
  default String user() {
    return System.getProperty("user.name");
  }

  /** An unencrypted private key the server accepts. */
  Path clientKey();

  /** {@code [127.0.0.1]:PORT TYPE BASE64}. */
  String knownHostsLine();

  /** Accepts the key in {@code privateKey}.pub from now on. */
  void authorize(Path privateKey);

  /** TCP connections the server accepted since it started. */
  int acceptedConnections();

  /**
   * An ssh_config {@code Host ALIAS} block reaching this server with its client key, strict host-key
   * checking into {@code knownHosts} (a new key accepted once), batch mode; then {@code extraLines}.
   * The same for Tether and for OpenSSH's client.
   */
  default List<String> hostConfig(String alias, Path knownHosts, String... extraLines) {
    List<String> lines = new ArrayList<>(List.of(
        "Host " + alias,
        "  HostName 127.0.0.1",
        "  Port " + port(),
        "  User " + user(),
        "  IdentityFile " + clientKey(),
        "  IdentitiesOnly yes",
        "  UserKnownHostsFile " + knownHosts,
        "  StrictHostKeyChecking accept-new",
        "  BatchMode yes"));
    lines.addAll(List.of(extraLines));
    lines.add("");
    return lines;
  }

  /** Drops every open SSH connection abruptly, as a network failure would. */
  void dropConnections();

  @Override
  void close();
}
