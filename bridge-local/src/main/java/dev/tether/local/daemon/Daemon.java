package dev.tether.local.daemon;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tether.adapters.Version;
import dev.tether.local.TetherException;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.connect.Remote;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.SocketChannelTransport;
import dev.tether.mux.transport.StreamTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user local daemon: listens on a Unix socket for {@code tether} commands and keeps one
 * session per destination for all of them. See {@link DaemonProtocol} for what commands ask of it.
 *
 * <p>It exits on {@code tether daemon stop}, or after {@link #idleTimeout} with no command connected.
 */
public final class Daemon {
  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  private final DaemonPaths paths;
  private final RemoteSessions remotes;
  /** The commands that opened channels on each host session: they hear about its connection. */
  private final Map<Session, Set<Session>> users = new ConcurrentHashMap<>();
  private final Duration idleTimeout;
  private final SessionRegistry clients;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Instant started = Instant.now();
  private volatile Instant lastClientSeen = Instant.now();
  /** Handed-over commands listening to each host session's connection notices. */
  private final Map<Session, Set<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private final HandOverHandler handOvers;
  private HandOverServer handOverServer;

  public Daemon(DaemonPaths paths, AgentLauncher launcher, Duration idleTimeout) {
    this(paths, launcher, idleTimeout, null);
  }

  /** With {@code handOvers}, commands may also hand their stdio to this daemon (the hand-over socket). */
  public Daemon(DaemonPaths paths, AgentLauncher launcher, Duration idleTimeout, HandOverHandler handOvers) {
    this.paths = paths;
    this.handOvers = handOvers;
    this.remotes = new RemoteSessions(launcher, this::tellUsers);
    this.idleTimeout = idleTimeout;
    this.clients = new SessionRegistry(SessionConfig.defaults().withName("daemon")
        .withAgent("tether-daemon/" + Version.current()).withAcceptor(this::dispatch));
  }

  /** The exit status of a daemon that found another one already serving (its starter keeps waiting). */
  public static final int ALREADY_RUNNING = dev.tether.adapters.daemon.SingleInstance.ALREADY_RUNNING;

  /** Another daemon holds the lock (or answers on the socket). */
  public static final class AlreadyRunning extends TetherException {
    AlreadyRunning(String message) {
      super(message);
    }
  }

  /** Serves until stopped. Fails clearly when another daemon already owns the socket. */
  public void run() throws IOException, InterruptedException {
    paths.ensurePrivateDir();
    // Commands that find no daemon each start one, so several may start at once (three editors opening
    // together). Checking the socket and binding it must be one step: otherwise a later daemon replaces
    // the socket file of an earlier one, which keeps running unreachable, holding its own SSH sessions.
    try (java.io.Closeable lock = DaemonClient.instance(paths).tryLock()) {
      if (lock == null) {
        throw new AlreadyRunning("a tether daemon is already running (socket " + paths.socket() + ")");
      }
      serve();
    }
  }

  /** Binds the socket and serves until stopped; the caller holds the daemon lock. */
  private void serve() throws IOException, InterruptedException {
    Files.deleteIfExists(paths.socket());
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(paths.socket()));
      Files.setPosixFilePermissions(paths.socket(), PosixFilePermissions.fromString("rw-------"));
      Files.writeString(paths.pidFile(), Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
      remotes.recordIn(SessionRecords.open(paths.dir().resolve("sessions")));
      LOG.info("tether daemon {} listening on {}", Version.current(), paths.socket());
      startAcceptor(server);
      startHandOvers();
      startIdleWatch();
      stopped.await();
    } finally {
      if (handOverServer != null) {
        handOverServer.close();
      }
      remotes.closeAll();
      users.clear();
      clients.closeAll(ErrorCode.NO_ERROR, "the tether daemon stopped");
      Files.deleteIfExists(paths.socket());
      Files.deleteIfExists(paths.pidFile());
      LOG.info("tether daemon stopped");
    }
  }

  public void stop() {
    stopped.countDown();
  }

  private void startAcceptor(ServerSocketChannel server) {
    daemonThread("daemon-accept", () -> {
      while (stopped.getCount() > 0) {
        try {
          SocketChannel client = server.accept();
          if (!ownUser(client)) {
            client.close();
            continue;
          }
          lastClientSeen = Instant.now();
          daemonThread("daemon-client", () -> {
            try {
              clients.accept(new SocketChannelTransport(client, "tether command"));
            } catch (dev.tether.mux.NotTetherException e) {
              LOG.debug("a probe connected and left: {}", e.getMessage()); // DaemonClient.isRunning
            } catch (IOException e) {
              LOG.warn("refused a command connection: {}", e.getMessage());
            }
          });
        } catch (IOException e) {
          if (stopped.getCount() > 0) {
            LOG.warn("accept failed: {}", e.getMessage());
          }
          return;
        }
      }
    });
  }

  private void startHandOvers() throws IOException {
    if (handOvers == null) {
      return;
    }
    handOverServer = new HandOverServer(dev.tether.local.front.HandOverProtocol.socket(paths.dir()), handOvers, this::connectedHost);
    handOverServer.start();
  }

  /** A host already connected, for a handed-over command; else it falls back to the full CLI, which connects. */
  private HandOverHandler.Host connectedHost(RemoteSpec spec) throws HandOverHandler.FallBack {
    Remote remote = remotes.connected(spec);
    if (remote == null) {
      throw new HandOverHandler.FallBack("no session with " + spec + " yet");
    }
    lastClientSeen = Instant.now();
    return new HandOverHandler.Host() {
      @Override
      public dev.tether.adapters.ChannelOpener opener() {
        return remote.session()::open;
      }

      @Override
      public AutoCloseable onNotice(Consumer<String> listener) {
        Set<Consumer<String>> set = listeners.computeIfAbsent(remote.session(), k -> ConcurrentHashMap.newKeySet());
        set.add(listener);
        return () -> set.remove(listener);
      }
    };
  }

  /** The socket's mode already keeps others out; the peer's uid is checked as well (SO_PEERCRED). */
  private static boolean ownUser(SocketChannel client) {
    try {
      String peer = client.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
      if (peer.equals(System.getProperty("user.name"))) {
        return true;
      }
      LOG.warn("refused a command connection from user {}", peer);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("refused a command connection whose user is unknown: {}", e.getMessage());
    }
    return false;
  }

  private void startIdleWatch() {
    daemonThread("daemon-idle", () -> {
      try {
        while (!stopped.await(10, TimeUnit.SECONDS)) {
          if (!clients.sessions().isEmpty() || (handOverServer != null && handOverServer.running() > 0)) {
            lastClientSeen = Instant.now();
          } else if (Duration.between(lastClientSeen, Instant.now()).compareTo(idleTimeout) > 0) {
            LOG.info("no tether command for {} s: exiting", idleTimeout.toSeconds());
            stop();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private void dispatch(OpenRequest request) throws IOException {
    switch (request.kind()) {
      case DaemonProtocol.REMOTE -> openRemote(request);
      case DaemonProtocol.CONTROL -> serveControl(request.accept());
      default -> request.reject(ErrorCode.CHANNEL_REFUSED, "the tether daemon does not serve '" + request.kind() + "'");
    }
  }

  /** Opens the requested channel on the host's session and splices it to the command's channel. */
  private void openRemote(OpenRequest request) throws IOException {
    DaemonProtocol.RemoteOpen open = DaemonProtocol.parse(request.metadata(), DaemonProtocol.RemoteOpen.class);
    Ui ui = new Ui(request.session());
    Channel remote;
    Remote host;
    try {
      host = remotes.get(open.target, ui);
      remote = host.session().open(open.kind, request.flavour(), open.metadata == null ? "" : open.metadata);
    } catch (ChannelOpenException e) {
      request.reject(e.code(), e.reason());
      return;
    } catch (IOException | RuntimeException e) {
      request.reject(ErrorCode.SERVICE_ERROR, e.getMessage() == null ? e.toString() : e.getMessage());
      return;
    } finally {
      ui.close();
    }
    Channel local = request.accept(remote.acceptMetadata());
    Splice.join(local, remote, open.kind + "@" + host.display());
    users.computeIfAbsent(host.session(), k -> ConcurrentHashMap.newKeySet()).add(request.session());
  }

  /** Tells every command still connected that uses {@code host} about its connection. */
  private void tellUsers(Remote host, String notice) {
    LOG.info("{}", notice);
    listeners.getOrDefault(host.session(), Set.of()).forEach(listener -> listener.accept(notice));
    Set<Session> commands = users.get(host.session());
    if (commands == null) {
      return; // only handed-over commands use this host
    }
    commands.removeIf(command -> command.state() == Session.State.CLOSED);
    for (Session command : commands) {
      Ui ui = new Ui(command);
      ui.notice(notice);
      ui.close();
    }
  }

  private void serveControl(Channel channel) throws IOException {
    byte[] raw;
    while ((raw = channel.readMessage()) != null) {
      String method = DaemonProtocol.parse(raw).get("method").getAsString();
      switch (method) {
        case "status" -> channel.writeMessage(DaemonProtocol.json(status()));
        case "stop" -> {
          channel.writeMessage(DaemonProtocol.json(new JsonObject()));
          channel.close();
          stop();
          return;
        }
        default -> {
          JsonObject error = new JsonObject();
          error.addProperty("error", "unknown control method '" + method + "'");
          channel.writeMessage(DaemonProtocol.json(error));
        }
      }
    }
    channel.close();
  }

  private JsonObject status() {
    JsonObject out = new JsonObject();
    out.addProperty("version", Version.current());
    out.addProperty("pid", ProcessHandle.current().pid());
    out.addProperty("since", started.toString());
    out.addProperty("socket", paths.socket().toString());
    out.addProperty("commands", clients.sessions().size());
    out.addProperty("handedOver", handOverServer == null ? 0 : handOverServer.served());
    out.addProperty("handedOverRunning", handOverServer == null ? 0 : handOverServer.running());
    JsonArray sessions = new JsonArray();
    for (Remote remote : remotes.list()) {
      Session.Stats stats = remote.session().stats();
      JsonObject s = new JsonObject();
      s.addProperty("destination", remote.display());
      s.addProperty("state", stats.state().name());
      s.addProperty("agent", remote.info().agentVersion);
      s.addProperty("agentPid", remote.info().pid);
      s.addProperty("channels", stats.channels());
      s.addProperty("bytesIn", stats.bytesIn());
      s.addProperty("bytesOut", stats.bytesOut());
      s.addProperty("rttMillis", stats.rttNanos() < 0 ? -1 : stats.rttNanos() / 1e6);
      s.addProperty("since", remote.since().toString());
      s.addProperty("key", remotes.keyOf(remote));
      s.addProperty("route", remote.route());
      sessions.add(s);
    }
    out.add("sessions", sessions);
    return out;
  }

  private static void daemonThread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  static boolean isMessages(ChannelFlavour flavour) {
    return flavour == ChannelFlavour.MESSAGES;
  }
}
