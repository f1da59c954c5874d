package dev.tether.remote;

import dev.tether.adapters.Version;
import dev.tether.adapters.daemon.PrivateFiles;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.process.ProcessGroup;
import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionListener;
import dev.tether.mux.ProtocolVersion;
import dev.tether.mux.transport.StreamTransport;
import dev.tether.remote.testpeer.TestPeer;
import dev.tether.remote.ws.TlsCertificate;
import dev.tether.remote.ws.UserService;
import dev.tether.remote.ws.WsServe;
import dev.tether.remote.ws.WsServer;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tether-remote}: the agent that runs next to the code.
 *
 * <pre>
 * tether-remote stdio                 serve one session on stdin/stdout, ending with it
 * tether-remote stdio --daemon        relay stdin/stdout to the per-user daemon, starting it if needed
 *                                     (how ssh starts it: sessions then survive a dropped connection)
 * tether-remote daemon                serve resumable sessions on ~/.tether/run/tether-remote-HASH.sock
 * tether-remote serve --listen H:P    serve resumable sessions on an authenticated WebSocket endpoint
 * tether-remote service install ...  the same as a systemd user unit (Restart=always); uninstall, status
 * tether-remote version               print the agent's version, commit and protocol version
 * tether-remote test-peer lsp|dap     a scripted language server or debug adapter on stdio, which only
 *                                     the conformance suite starts (tether conformance --only lsp|dap)
 * </pre>
 *
 * In stdio mode stdout carries nothing but the protocol: System.out is pointed at stderr before
 * anything else runs, and logs go to {@code ~/.tether/logs/tether-remote.log} (or {@code --log FILE}).
 */
public final class TetherRemote {
  private static final String USAGE = String.join("\n",
      "usage: tether-remote stdio [--daemon [--socket PATH] [--idle SECONDS]] [--log FILE]",
      "       tether-remote daemon [--socket PATH] [--idle SECONDS] [--log FILE]",
      "       " + WsServe.USAGE,
      "       " + UserService.USAGE,
      "       tether-remote version");

  private TetherRemote() {}

  public static void main(String[] args) {
    PrintStream protocolOut = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
    System.setOut(System.err); // nothing but protocol may reach the real stdout
    try {
      System.exit(run(args, protocolOut));
    } catch (IllegalArgumentException e) {
      System.err.println("tether-remote: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    } catch (Exception e) {
      System.err.println("tether-remote: " + e.getMessage());
      System.exit(1);
    }
  }

  static int run(String[] args, PrintStream protocolOut) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("missing command");
    }
    if (args[0].equals("serve")) {
      return serve(WsServe.parse(args, 1));
    }
    if (args[0].equals("test-peer")) {
      return TestPeer.run(args); // started by the conformance suite only, as a server or adapter
    }
    if (args[0].equals("service")) {
      return UserService.forUser(home(), System.err).run(args);
    }
    Path log = defaultLog();
    boolean viaDaemon = false;
    // Not AgentDaemon.defaultSocket() here: loading AgentDaemon creates its logger, and slf4j-simple
    // reads its settings once, so logging must be configured first or the daemon logs to stderr.
    Path socket = null;
    Duration idle = Duration.ofSeconds(10);
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--log" -> log = Path.of(value(args, ++i, "--log"));
        case "--daemon" -> viaDaemon = true;
        case "--socket" -> socket = Path.of(value(args, ++i, "--socket"));
        case "--idle" -> idle = Duration.ofSeconds(Long.parseLong(value(args, ++i, "--idle")));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    switch (args[0]) {
      case "version" -> {
        System.err.flush();
        protocolOut.println("tether-remote " + Version.current() + " (commit " + Version.commit() + ", protocol "
            + ProtocolVersion.MAJOR + "." + ProtocolVersion.MINOR + ")");
        protocolOut.flush();
        return 0;
      }
      case "stdio" -> {
        if (viaDaemon) {
          // The relay's own few lines go to stderr, which the local side copies into its log.
          return new AgentDaemon(socket != null ? socket : AgentDaemon.defaultSocket()).relay(log, idle, new FileInputStream(FileDescriptor.in), protocolOut);
        }
        return stdio(log, protocolOut);
      }
      case "daemon" -> {
        configureDaemonLogging(log);
        return new AgentDaemon(socket != null ? socket : AgentDaemon.defaultSocket()).serve(log, idle);
      }
      default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  static Path defaultLog() {
    return home().resolve(".tether").resolve("logs").resolve("tether-remote.log");
  }

  /**
   * {@code $HOME}, where the bootstrap installed this agent, rather than the JVM's {@code user.home}
   * (the passwd entry): the two differ under {@code sudo -u}, in containers and in {@code tether demo}.
   */
  static Path home() {
    String home = System.getenv("HOME");
    return home != null && home.startsWith("/") ? Path.of(home) : Path.of(System.getProperty("user.home"));
  }

  /** Routes SLF4J (slf4j-simple) to the log file, made 0600; must run before the first logger is created. */
  static void configureLogging(Path log) throws IOException {
    privateDirectory(log.getParent());
    PrivateFiles.file(log); // it names files, servers and sessions: not for other users
    System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSS");
  }

  /**
   * As {@link #configureLogging}, but the daemon's log is appended to, never truncated: a daemon
   * started while another still serves (a relay whose probe timed out on a loaded host) must not
   * wipe the live one's log, nor a restarted daemon the lines saying why the previous one ended.
   * slf4j-simple opens a log file truncated, so it writes to {@code System.err}, made that file.
   */
  static void configureDaemonLogging(Path log) throws IOException {
    configureLogging(log);
    System.setErr(new PrintStream(new FileOutputStream(log.toFile(), true), true, java.nio.charset.StandardCharsets.UTF_8));
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }

  /**
   * Creates {@code dir}; under {@code ~/.tether} every directory from {@code ~/.tether} down is
   * made 0700 and must be this user's (a directory given elsewhere with {@code --log} is the
   * user's choice and keeps its mode).
   */
  static Path privateDirectory(Path dir) throws IOException {
    Path root = home().resolve(".tether");
    Path absolute = dir.toAbsolutePath().normalize();
    if (!absolute.startsWith(root)) {
      Files.createDirectories(absolute);
      return dir;
    }
    Path current = PrivateFiles.directory(root);
    for (Path part : root.relativize(absolute)) {
      if (!part.toString().isEmpty()) {
        current = PrivateFiles.directory(current.resolve(part));
      }
    }
    return dir;
  }

  /**
   * {@code tether-remote serve}: the WebSocket endpoint, in a process that holds its sessions as the
   * agent daemon does (a dropped WebSocket leaves the session detached, with its servers, terminals
   * and processes, until a new WebSocket resumes it or the detached timeout passes). Runs until killed.
   */
  private static int serve(WsServe options) throws Exception {
    Path log = options.log != null ? options.log : defaultLog().resolveSibling("tether-remote-serve.log");
    configureLogging(log);
    Path tokenFile = options.tokenFile != null ? options.tokenFile : privateDirectory(home().resolve(".tether")).resolve("token");
    ConnectionToken token = ConnectionToken.loadOrCreate(tokenFile);
    TlsCertificate certificate = null;
    if (options.keystore != null) {
      String password = System.getenv("TETHER_TLS_PASSWORD");
      certificate = TlsCertificate.load(options.keystore, password == null ? "" : password);
    } else if (options.selfSigned) {
      certificate = TlsCertificate.selfSigned(privateDirectory(home().resolve(".tether").resolve("tls")),
          options.certificateNames());
    }
    Agent agent = new Agent(log, ServerCatalog.load(), SessionListener.NONE, AgentDaemon.DETACHED_TIMEOUT);
    WsServer server = WsServer.start(new WsServer.Settings(options.host, options.port,
        certificate == null ? null : certificate.keyStore(), certificate == null ? null : certificate.password(),
        options.allowHosts, options.allowOrigins, options.maxConnections, options.idleTimeout), token, agent.registry());
    recordProcessGroups(options.host, server.port());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "serve-shutdown"));
    WsServe.announce(System.err, server, options.host, tokenFile, certificate == null ? null : certificate.fingerprint());
    new CountDownLatch(1).await(); // serves until the process is ended
    return 0;
  }

  /**
   * As the agent daemon does: records the process groups this server starts in
   * {@code ~/.tether/run/tether-remote-serve-HOST-PORT.groups}, and first ends those a previous server
   * on the same address left (killed, it could not). Only once the port is bound: a previous server
   * still alive would hold it, so its groups are never taken for a dead one's. ({@code --listen HOST:0}
   * binds a new port each time, so what a killed one of those left is reaped by none.)
   */
  private static void recordProcessGroups(String host, int port) throws IOException {
    String address = host.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + port;
    Path records = privateDirectory(home().resolve(".tether").resolve("run")).resolve("tether-remote-serve-" + address + ".groups");
    ProcessGroup.recordIn(records);
    int reaped = ProcessGroup.reapRecorded();
    if (reaped > 0) {
      org.slf4j.LoggerFactory.getLogger(TetherRemote.class).info("ended {} process group(s) that a previous server on {} left running",
          reaped, address);
    }
  }

  /** One session on stdin/stdout; when it ends (or its transport does), servers are stopped and we exit. */
  private static int stdio(Path log, PrintStream protocolOut) throws Exception {
    configureLogging(log);
    CountDownLatch done = new CountDownLatch(1);
    SessionListener endOnLoss = new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {
        // Nothing can resume a stdio session: its only way in is gone.
        session.close(ErrorCode.NO_ERROR, "stdio transport ended: " + reason);
      }

      @Override
      public void onClosed(Session session, ErrorCode code, String reason) {
        done.countDown();
      }
    };
    Agent agent = new Agent(log, ServerCatalog.load(), endOnLoss, Duration.ofMinutes(10));
    agent.registry().accept(new StreamTransport(new FileInputStream(FileDescriptor.in), protocolOut, "stdio"));
    done.await();
    agent.languageServers().awaitAllStopped(Duration.ofSeconds(10));
    return 0;
  }
}
