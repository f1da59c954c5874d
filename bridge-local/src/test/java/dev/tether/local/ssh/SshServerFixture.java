package dev.tether.local.ssh;

import java.nio.file.Path;

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

  /** Drops every open SSH connection abruptly, as a network failure would. */
  void dropConnections();

  @Override
  void close();
}
