package dev.tether.remote;

import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.daemon.PrivateFiles;
import dev.tether.adapters.daemon.SingleInstance;
import dev.tether.adapters.process.ProcessGroup;
import dev.tether.mux.SessionListener;
import dev.tether.mux.transport.SocketChannelTransport;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user agent that outlives a dropped connection: {@code tether-remote daemon} serves sessions
 * on a private Unix socket, and {@code tether-remote stdio --daemon} (what the SSH bootstrap runs)
 * relays its stdin/stdout to that socket, starting the daemon first when none answers. A dropped SSH
 * connection ends only the relay: the session waits, detached, with its language servers and
 * terminals alive, until the local side resumes it over a new connection or the detached timeout
 * passes.
 *
 * <p>The daemon exits once it has held no session, attached or detached, for its idle time.
 */
final class AgentDaemon {
  private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  /** How long a detached session (and everything running in it) waits for its client to come back. */
  static final Duration DETACHED_TIMEOUT = Duration.ofMinutes(30);

  /** The exit status of a daemon that found another one serving its socket. */
  static final int ALREADY_RUNNING = SingleInstance.ALREADY_RUNNING;

  /** sockaddr_un's sun_path holds 108 bytes with the terminating NUL. */
  private static final int MAX_SOCKET_PATH = 107;

  private final Path socket;
  private final SingleInstance instance;

  AgentDaemon(Path socket) {
    this.socket = socket;
    this.instance = new SingleInstance("tether-remote daemon", socket, socket.resolveSibling(socket.getFileName() + ".lock"));
  }

  /**
   * {@code $HOME/.tether/run/tether-remote-HASH.sock}: one daemon per user and agent jar
   * ({@link AgentBuild#hash}), never one started from another build, of the same version or not.
   */
  static Path defaultSocket() {
    return TetherRemote.home().resolve(".tether").resolve("run").resolve("tether-remote-" + AgentBuild.hash() + ".sock");
  }

  Path pidFile() {
    return socket.resolveSibling(socket.getFileName() + ".pid");
  }

  /**
   * Where this daemon records the process groups it started ({@link ProcessGroup}), one file per
   * group, so that the next daemon on this socket ends them if this one is killed.
   */
  Path groupRecords() {
    return socket.resolveSibling(socket.getFileName() + ".groups");
  }

  boolean isRunning() {
    return instance.isRunning();
  }

  /** Serves sessions until it has had none for {@code idle}; refuses to run twice on one socket. */
  int serve(Path log, Duration idle) throws IOException, InterruptedException {
    int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
    if (length > MAX_SOCKET_PATH) {
      System.err.println("tether-remote: the socket path " + socket + " has " + length + " bytes, more than the "
          + MAX_SOCKET_PATH + " a Unix socket allows; use a shorter HOME for the agent");
      return 1;
    }
    Path dir = socket.getParent();
    TetherRemote.privateDirectory(dir);
    PrivateFiles.directory(dir); // the socket's directory is private wherever it is
    try (java.io.Closeable lock = instance.tryLock()) {
      if (lock == null) {
        System.err.println("tether-remote: a daemon already serves " + socket);
        return ALREADY_RUNNING;
      }
      ProcessGroup.recordIn(groupRecords());
      int reaped = ProcessGroup.reapRecorded();
      if (reaped > 0) {
        LOG.info("ended {} process group(s) that a previous daemon on {} left running", reaped, socket);
      }
      Agent agent = new Agent(log, ServerCatalog.load(), SessionListener.NONE, DETACHED_TIMEOUT);
      Files.deleteIfExists(socket);
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(pidFile(), Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        LOG.info("tether-remote {} daemon listening on {}", AgentBuild.name(), socket);
        Thread acceptor = new Thread(() -> acceptLoop(server, agent), "daemon-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        awaitIdle(agent, idle);
        LOG.info("no session for {} s: exiting", idle.toSeconds());
      } finally {
        Files.deleteIfExists(socket);
        Files.deleteIfExists(pidFile());
      }
      agent.languageServers().awaitAllStopped(Duration.ofSeconds(10));
      return 0;
    }
  }

  private void acceptLoop(ServerSocketChannel server, Agent agent) {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed: we are exiting
      }
      if (!ownUser(client)) {
        closeQuietly(client);
        continue;
      }
      Thread thread = new Thread(() -> {
        try {
          agent.registry().accept(new SocketChannelTransport(client, "relay"));
        } catch (dev.tether.mux.NotTetherException e) {
          LOG.debug("a probe connected and left");
        } catch (IOException e) {
          LOG.warn("refused a connection: {}", e.getMessage());
        }
      }, "daemon-session");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /**
   * The socket's mode and directory keep other users out; the peer's uid is checked as well
   * ({@code SO_PEERCRED}), so a socket made reachable by mistake still serves only its user. Both ways
   * in pass it: the relay, and sshd's session process for a {@code direct-streamlocal} channel, run as
   * the user.
   */
  private static boolean ownUser(SocketChannel client) {
    try {
      String peer = client.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
      if (peer.equals(System.getProperty("user.name"))) {
        return true;
      }
      LOG.warn("refused a connection from user {}", peer);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("refused a connection whose user is unknown: {}", e.getMessage());
    }
    return false;
  }

  /** Returns once no session has existed for {@code idle}; a relay connecting meanwhile restarts the clock. */
  private static void awaitIdle(Agent agent, Duration idle) throws InterruptedException {
    long idleSince = System.nanoTime();
    while (true) {
      Thread.sleep(500); // a coarse watch over a slow-changing count; no event is lost by polling it
      if (!agent.registry().sessions().isEmpty()) {
        idleSince = System.nanoTime();
      } else if (System.nanoTime() - idleSince > idle.toNanos()) {
        return;
      }
    }
  }

  /**
   * Relays stdin and stdout to the daemon's socket byte for byte, starting the daemon when none
   * answers (with {@code idle} as its idle time); returns when either side ends.
   */
  int relay(Path log, Duration idle, InputStream in, OutputStream out) throws IOException, InterruptedException {
    if (!isRunning()) {
      start(log, idle);
    }
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    Thread upstream = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
          while (bytes.hasRemaining()) {
            channel.write(bytes);
          }
        }
        channel.shutdownOutput();
      } catch (IOException e) {
        LOG.debug("relay upstream ended: {}", e.getMessage());
        closeQuietly(channel);
      }
    }, "relay-up");
    upstream.setDaemon(true);
    upstream.start();
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (channel.read(buffer.clear()) >= 0) {
        out.write(buffer.array(), 0, buffer.position());
        out.flush();
      }
    } catch (IOException e) {
      LOG.debug("relay downstream ended: {}", e.getMessage());
    } finally {
      closeQuietly(channel);
    }
    return 0;
  }

  /** Starts {@code tether-remote daemon} detached from this relay (and from the SSH session) and waits for it. */
  private void start(Path log, Duration idle) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", ManagementFactory.getRuntimeMXBean().getClassPath(),
        TetherRemote.class.getName(), "daemon", "--socket", socket.toString(), "--log", log.toString(),
        "--idle", Long.toString(idle.toSeconds())));
    TetherRemote.privateDirectory(log.getParent());
    // The daemon logs into `log` itself; what the JVM may print outside the logger goes beside it.
    File console = PrivateFiles.file(log.resolveSibling("tether-remote-daemon.out")).toFile();
    instance.start(command, Map.of(), console, START_TIMEOUT, log);
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
