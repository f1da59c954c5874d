package dev.tether.local.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test fixture: {@link EmbeddedSshServer} with a temp directory as home and a generated client key
 * file it authorizes.
 */
public final class MinaSshServer implements SshServerFixture {
  private final Path dir;
  private final Path clientKey;
  private final EmbeddedSshServer server;

  private MinaSshServer(String password) throws IOException {
    dir = Files.createTempDirectory("tether-mina-sshd-");
    clientKey = TestKeys.generate(dir, "client_key", "");
    EmbeddedSshServer.Builder b = EmbeddedSshServer.builder().home(dir).authorizedKey(TestKeys.publicKey(clientKey));
    if (password != null) {
      b.password(password);
    }
    server = b.start();
  }

  public static MinaSshServer start() {
    return start(null);
  }

  /** A server that also accepts {@code password}. */
  public static MinaSshServer start(String password) {
    try {
      return new MinaSshServer(password);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public EmbeddedSshServer server() {
    return server;
  }

  @Override
  public int port() {
    return server.port();
  }

  @Override
  public Path clientKey() {
    return clientKey;
  }

  @Override
  public String knownHostsLine() {
    return server.knownHostsLine();
  }

  @Override
  public void authorize(Path privateKey) {
    server.authorize(TestKeys.publicKey(privateKey));
  }

  /** The HOME (and working directory) of the commands this server runs: a temp directory of its own. */
  public Path home() {
    return dir;
  }

  @Override
  public int acceptedConnections() {
    return server.acceptedConnections();
  }

  @Override
  public void dropConnections() {
    server.dropConnections();
  }

  /** Also ends the agent daemons started under this server's home (see {@link EmbeddedSshServer#close}). */
  @Override
  public void close() {
    server.close();
    FileTrees.deleteQuietly(dir);
  }
}
