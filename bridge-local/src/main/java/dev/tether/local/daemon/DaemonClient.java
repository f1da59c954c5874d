package dev.tether.local.daemon;

import dev.tether.adapters.Version;
import dev.tether.adapters.daemon.SingleInstance;
import dev.tether.local.TetherException;
import dev.tether.local.ssh.Prompter;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.transport.SocketChannelTransport;
import dev.tether.mux.transport.StreamTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A command's connection to the per-user daemon, starting the daemon when none is running. The
 * daemon may open {@code ui} channels back to us to show progress and ask for passphrases.
 */
public final class DaemonClient implements AutoCloseable {
  private static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(20);

  private final Session session;
  private final Progress progress;
  private volatile Consumer<String> notices;
  private volatile Consumer<String> progressAlso = line -> { };
  /** The step line last passed to {@link #progressAlso}; touched by the ui thread only. */
  private String lastStep;

  private DaemonClient(Session session, Progress progress, Consumer<String> notices) {
    this.session = session;
    this.progress = progress;
    this.notices = notices;
  }

  /**
   * Where notices about the host's connection go (lost, reconnected); by default where progress goes.
   * {@code tether lsp} sends them to the editor as well.
   */
  public void onNotice(Consumer<String> listener) {
    this.notices = listener;
  }

  /** Also tells {@code listener} each progress line (which still goes where {@code connect} said). */
  public void onProgress(Consumer<String> listener) {
    this.progressAlso = listener;
  }

  /** What the ui channel reports: shown by {@link #progress}, and each new step told to {@link #progressAlso}. */
  private Progress reported() {
    return new Progress() {
      @Override
      public void step(String line) {
        lastStep = line;
        progress.step(line);
        progressAlso.accept(line);
      }

      @Override
      public void bytes(String line, long done, long total) {
        if (!line.equals(lastStep)) {
          lastStep = line;
          progressAlso.accept(line);
        }
        progress.bytes(line, done, total);
      }

      @Override
      public void end() {
        progress.end();
      }
    };
  }

  private void notice(String line) {
    notices.accept(line);
  }

  public static boolean isRunning(DaemonPaths paths) {
    return instance(paths).isRunning();
  }

  /** The one daemon of {@code paths}: its socket and the lock beside it. */
  static SingleInstance instance(DaemonPaths paths) {
    return new SingleInstance("tether daemon", paths.socket(), paths.lockFile());
  }

  /** Connects to the daemon; when {@code autoStart}, starts one first if none answers. Progress as plain lines. */
  public static DaemonClient connect(DaemonPaths paths, boolean autoStart, Consumer<String> progress,
      Prompter prompter) throws IOException {
    DaemonClient client = connect(paths, autoStart, Progress.lines(progress), prompter);
    client.notices = progress;
    return client;
  }

  /** Connects to the daemon; when {@code autoStart}, starts one first if none answers. */
  public static DaemonClient connect(DaemonPaths paths, boolean autoStart, Progress progress,
      Prompter prompter) throws IOException {
    if (!isRunning(paths)) {
      if (!autoStart) {
        throw new TetherException("the tether daemon is not running");
      }
      start(paths);
    }
    SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
    socket.connect(UnixDomainSocketAddress.of(paths.socket()));
    SocketChannelTransport transport = new SocketChannelTransport(socket, "daemon " + paths.socket());
    DaemonClient[] client = new DaemonClient[1];
    Session session = Session.connect(transport, SessionConfig.defaults().withName("command")
        .withAgent("tether/" + Version.current())
        .withCapabilities(java.util.Set.of()) // a local socket: nothing to resume
        .withAcceptor(request -> {
          if (!request.kind().equals(DaemonProtocol.UI)) {
            request.reject(ErrorCode.CHANNEL_REFUSED, "a tether command accepts only ui channels");
            return;
          }
          Ui.serve(request.accept(), client[0].reported(), line -> client[0].notice(line), prompter);
        }));
    client[0] = new DaemonClient(session, progress, progress::step);
    return client[0];
  }

  /** Starts {@code tether daemon run} detached from this process (and the editor's group) and waits for its socket. */
  static void start(DaemonPaths paths) throws IOException {
    paths.ensurePrivateDir();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx256m", "-Xss512k")); // a small idle footprint: the heap grows when needed
    for (String property : List.of("tether.agent.jar", "tether.daemon.idle", dev.tether.local.connect.AgentLauncher.ROUTE_PROPERTY)) {
      if (System.getProperty(property) != null) {
        command.add("-D" + property + "=" + System.getProperty(property));
      }
    }
    command.add("-Dorg.slf4j.simpleLogger.logFile=" + paths.log());
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dtether.log=info");
    command.addAll(List.of("-cp", selfJar(), "dev.tether.local.cli.Tether", "daemon", "run"));
    try {
      instance(paths).start(command, java.util.Map.of("TETHER_RUNTIME_DIR", paths.dir().toString()),
          paths.log().toFile(), START_TIMEOUT, paths.log());
    } catch (java.io.InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new TetherException(e.getMessage(), e);
    }
  }

  private static String selfJar() throws TetherException {
    try {
      return Path.of(DaemonClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (Exception e) {
      throw new TetherException("cannot locate the tether jar to start the daemon: " + e.getMessage());
    }
  }

  /** Opens {@code kind} on the host named by {@code target}, through the daemon. */
  public Channel openRemote(RemoteSpec target, String kind, ChannelFlavour flavour, String metadata) throws IOException {
    DaemonProtocol.RemoteOpen open = new DaemonProtocol.RemoteOpen();
    open.target = target;
    open.kind = kind;
    open.metadata = metadata;
    try {
      return session.open(DaemonProtocol.REMOTE, flavour, DaemonProtocol.GSON.toJson(open));
    } finally {
      progress.end(); // the daemon answers once the host is reached (or cannot be)
    }
  }

  /** Opens channels on the host named by {@code target}, through the daemon: for the services' client halves. */
  public dev.tether.adapters.ChannelOpener opener(RemoteSpec target) {
    return (kind, flavour, metadata) -> openRemote(target, kind, flavour, metadata);
  }

  /** Sends one control request and returns the daemon's JSON answer. */
  public com.google.gson.JsonObject control(String method) throws IOException {
    Channel channel = session.open(DaemonProtocol.CONTROL, ChannelFlavour.MESSAGES, "");
    com.google.gson.JsonObject request = new com.google.gson.JsonObject();
    request.addProperty("method", method);
    channel.writeMessage(DaemonProtocol.json(request));
    byte[] answer = channel.readMessage();
    channel.close();
    if (answer == null) {
      throw new TetherException("the tether daemon closed the control channel without answering");
    }
    return DaemonProtocol.parse(answer);
  }

  public Session session() {
    return session;
  }

  @Override
  public void close() {
    session.close(ErrorCode.NO_ERROR, "command finished");
  }

  static boolean socketExists(DaemonPaths paths) {
    return Files.exists(paths.socket());
  }
}
