package dev.tether.local.ssh;

import dev.tether.local.ssh.internal.ShellProcessCommand;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.StaticDecisionForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An in-process SSH server on 127.0.0.1 (random port) that behaves like a small real host: exec runs
 * {@code /bin/sh -c} as real processes of this JVM's user (in {@link Builder#home}, which is also
 * their {@code HOME}), SFTP serves the real file system, and
 * direct-tcpip (ProxyJump) is allowed to loopback addresses only. Used by {@code tether demo} (which
 * connects to it exactly as to a remote host) and by tests.
 *
 * <p>Authentication: public keys from {@link Builder#authorizedKey}, and a password if one was set;
 * any user name is accepted since commands run as this JVM's user anyway.
 *
 * <p>Threading: build and start on one thread; the accessors and {@link #close} are thread-safe.
 */
public final class EmbeddedSshServer implements AutoCloseable {
  public static final String HOST = "127.0.0.1";

  private final SshServer server;
  private final KeyPair hostKey;
  private final List<PublicKey> authorizedKeys = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();
  private final Path home;

  private EmbeddedSshServer(Builder b) throws IOException {
    this.hostKey = b.hostKey != null ? b.hostKey : generateHostKey();
    this.server = SshServer.setUpDefaultServer();
    server.setHost(HOST);
    server.setPort(b.port);
    server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    authorizedKeys.addAll(b.authorizedKeys);
    server.setPublickeyAuthenticator((user, key, session) ->
        authorizedKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
    if (b.password != null) {
      String pw = b.password;
      server.setPasswordAuthenticator((user, given, session) -> pw.equals(given));
    }
    this.home = b.home;
    Map<String, String> environment = Map.copyOf(b.environment);
    server.setCommandFactory((channel, command) -> new ShellProcessCommand(command, home, environment));
    server.setFileSystemFactory(new HomeFileSystem(home));
    server.setSubsystemFactories(List.of(new HomeSftpSubsystemFactory(home)));
    server.setForwardingFilter(new LoopbackOnlyForwarding());
    CoreModuleProperties.IDLE_TIMEOUT.set(server, Duration.ZERO);
    server.addSessionListener(new Counter());
    server.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return server.getPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(HOST, port());
  }

  public PublicKey hostKey() {
    return hostKey.getPublic();
  }

  /** Accepts one more client key from now on. */
  public void authorize(PublicKey key) {
    authorizedKeys.add(Objects.requireNonNull(key));
  }

  /** The known_hosts line for this server: {@code [127.0.0.1]:PORT TYPE BASE64}. */
  public String knownHostsLine() {
    return "[" + HOST + "]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
  }

  /** TCP connections accepted since start (one per SSH session). */
  public int acceptedConnections() {
    return accepted.get();
  }

  /** TCP connections open right now. */
  public int activeConnections() {
    return active.get();
  }

  /** Drops every SSH connection at once, as a network failure would (for reconnection tests and demos). */
  public void dropConnections() {
    server.getActiveSessions().forEach(session -> session.close(true));
  }

  /**
   * Stops the server, and the agent daemons its sessions started under its home: they outlive
   * connections by design, but not the host they belong to.
   */
  @Override
  public void close() {
    try {
      server.stop(true);
    } catch (IOException e) {
      // stopping immediately cannot meaningfully fail for an in-process server
    }
    if (home != null) {
      String marker = " daemon --socket " + home;
      List<ProcessHandle> daemons = ProcessHandle.allProcesses()
          .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
          .toList();
      daemons.forEach(ProcessHandle::destroy);
      for (ProcessHandle daemon : daemons) {
        try {
          daemon.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          daemon.destroyForcibly();
        }
      }
    }
  }

  private static KeyPair generateHostKey() throws IOException {
    try {
      return KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot generate an ECDSA host key: " + e.getMessage(), e);
    }
  }

  private final class Counter implements SessionListener {
    @Override
    public void sessionCreated(Session session) {
      accepted.incrementAndGet();
      active.incrementAndGet();
    }

    @Override
    public void sessionClosed(Session session) {
      active.decrementAndGet();
    }
  }

  /** The real file system, with relative SFTP paths starting in {@code home} whatever the user name. */
  private static final class HomeFileSystem implements FileSystemFactory {
    private final Path home;

    HomeFileSystem(Path home) {
      this.home = home;
    }

    @Override
    public Path getUserHomeDir(SessionContext session) {
      return home;
    }

    @Override
    public FileSystem createFileSystem(SessionContext session) {
      return FileSystems.getDefault();
    }
  }

  /**
   * SFTP whose relative paths start in {@code home}: MINA's default directory is the JVM's working
   * directory, but a real sshd starts SFTP in the user's home, and bootstrap code relies on that.
   */
  private static final class HomeSftpSubsystemFactory extends SftpSubsystemFactory {
    private final Path home;

    HomeSftpSubsystemFactory(Path home) {
      this.home = home;
    }

    @Override
    public Command createSubsystem(ChannelSession channel) {
      return new SftpSubsystem(channel, this) {
        @Override
        public void setFileSystem(FileSystem fs) {
          super.setFileSystem(fs);
          defaultDir = fs.getPath(home.toString());
        }
      };
    }
  }

  /** direct-tcpip to loopback only: enough for ProxyJump tests and the demo, never an open relay. */
  private static final class LoopbackOnlyForwarding extends StaticDecisionForwardingFilter {
    LoopbackOnlyForwarding() {
      super(false);
    }

    @Override
    public boolean canConnect(TcpForwardingFilter.Type type, SshdSocketAddress address, Session session) {
      return type == TcpForwardingFilter.Type.Direct && SshdSocketAddress.isLoopback(address.getHostName());
    }
  }

  /** Server settings; not thread-safe. */
  public static final class Builder {
    private KeyPair hostKey;
    private final List<PublicKey> authorizedKeys = new ArrayList<>();
    private String password;
    private int port;
    private Path home = Path.of(System.getProperty("user.home"));
    private final Map<String, String> environment = new LinkedHashMap<>();

    private Builder() {
    }

    /** A fixed host key; by default a throwaway ECDSA P-256 key is generated. */
    public Builder hostKey(KeyPair key) {
      this.hostKey = Objects.requireNonNull(key);
      return this;
    }

    public Builder authorizedKey(PublicKey key) {
      authorizedKeys.add(Objects.requireNonNull(key));
      return this;
    }

    /** Also accept this password (for any user). */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** A fixed port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * The user's home on this host: working directory and {@code HOME} of commands, and base of
     * relative SFTP paths; default {@code user.home}. A temp directory keeps what a client installs
     * on the "host" (such as the Tether agent) out of the real home.
     */
    public Builder home(Path directory) {
      this.home = directory.toAbsolutePath();
      return this;
    }

    /**
     * Sets a variable in every command's environment, which otherwise is this JVM's; e.g. a
     * {@code PATH} without {@code java} to play a host that lacks it.
     */
    public Builder environment(String name, String value) {
      environment.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
      return this;
    }

    public EmbeddedSshServer start() throws IOException {
      return new EmbeddedSshServer(this);
    }
  }
}
