package dev.tether.local.demo;

import dev.tether.local.ssh.EmbeddedSshServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * The demo's "remote host": an {@link EmbeddedSshServer} on 127.0.0.1 whose commands run with a
 * temp {@code HOME}, plus what a user would have set up for a real host, all in temp files: a client
 * key, a known_hosts holding the server's throwaway host key, and an ssh_config entry naming it
 * {@value #ALIAS} with strict host-key checking. Keys are generated here, so no ssh-keygen is needed.
 */
final class LoopbackHost implements AutoCloseable {
  static final String ALIAS = "demo-host";

  private final EmbeddedSshServer server;
  private final Path home;
  private final Path sshConfig;

  private LoopbackHost(EmbeddedSshServer server, Path home, Path sshConfig) {
    this.server = server;
    this.home = home;
    this.sshConfig = sshConfig;
  }

  /** Starts the server with {@code home} as the host user's home; client files go in {@code sshDir}. */
  static LoopbackHost start(Path home, Path sshDir) throws IOException {
    Files.createDirectories(home);
    Files.createDirectories(sshDir);
    KeyPair clientKey = generateKey();
    Path identity = writePrivateKey(clientKey, sshDir.resolve("id_ecdsa"));
    EmbeddedSshServer server = EmbeddedSshServer.builder().home(home).authorizedKey(clientKey.getPublic()).start();
    try {
      Path knownHosts = Files.writeString(sshDir.resolve("known_hosts"), server.knownHostsLine() + "\n");
      Path config = Files.writeString(sshDir.resolve("config"), String.join("\n",
          "# written by tether demo: the loopback host, reached like any other",
          "Host " + ALIAS,
          "  HostName " + server.host(),
          "  Port " + server.port(),
          "  User " + System.getProperty("user.name"),
          "  IdentityFile " + identity,
          "  IdentitiesOnly yes",
          "  UserKnownHostsFile " + knownHosts,
          "  StrictHostKeyChecking yes",
          ""));
      return new LoopbackHost(server, home, config);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  Path home() {
    return home;
  }

  Path sshConfig() {
    return sshConfig;
  }

  String address() {
    return server.host() + ":" + server.port();
  }

  String hostKeyFingerprint() {
    return KeyUtils.getFingerPrint(server.hostKey());
  }

  @Override
  public void close() {
    server.close();
  }

  private static KeyPair generateKey() throws IOException {
    try {
      return KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot generate an ECDSA key: " + e.getMessage(), e);
    }
  }

  /** An unencrypted OpenSSH private key file, 0600 as ssh insists. */
  private static Path writePrivateKey(KeyPair key, Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "tether-demo", null, out);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write the demo's client key: " + e.getMessage(), e);
    }
    return file;
  }
}
