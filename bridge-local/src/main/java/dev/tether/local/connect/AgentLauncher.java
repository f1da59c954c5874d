package dev.tether.local.connect;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.Version;
import dev.tether.adapters.sys.SysClient;
import dev.tether.adapters.sys.SysInfo;
import dev.tether.local.TetherException;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.daemon.Ui;
import dev.tether.local.ssh.RemoteProcess;
import dev.tether.local.ssh.SshConnection;
import dev.tether.local.ssh.SshConnector;
import dev.tether.local.ssh.SshDestination;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.local.ssh.SshFailure;
import dev.tether.local.ssh.SshOptions;
import dev.tether.local.ssh.StreamLocal;
import dev.tether.local.ws.WsConnector;
import dev.tether.local.ws.WsDestination;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.MuxException;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.transport.StreamTransport;
import dev.tether.mux.transport.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches a host's agent and opens a session with it: over SSH (bootstrap included), as a local child
 * process ({@code local}), or through any command that gives stdio ({@code --via}). Then checks with
 * {@code sys/info} that the agent is this exact version.
 */
public final class AgentLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(AgentLauncher.class);

  /**
   * {@code -Dtether.agent.route=relay} makes the daemon use the relay even where the direct path
   * works: for A/B measurements and as a way out should a server misbehave on the direct path.
   */
  public static final String ROUTE_PROPERTY = "tether.agent.route";
  public static final String RELAY = "relay";

  private final AgentJar jar;
  private final SshEnvironment environment;
  /** Hosts whose SSH server refused the direct path, with why: they get the relay at once next time. */
  private final Map<String, String> refusedDirect = new ConcurrentHashMap<>();

  public AgentLauncher(AgentJar jar, SshEnvironment environment) {
    this.jar = jar;
    this.environment = environment;
  }

  public Remote connect(RemoteSpec spec, Ui ui, SessionListener listener) throws IOException {
    if (spec.via != null) {
      return overProcess(spec, List.of("/bin/sh", "-c", spec.via), "via '" + spec.via + "'", listener);
    }
    if (WsDestination.is(spec.destination)) {
      return overWebSocket(spec, ui, listener);
    }
    if ("local".equals(spec.destination)) {
      return overProcess(spec, localAgentCommand(), "local", listener);
    }
    return overSsh(spec, ui, listener);
  }

  /**
   * The agent's byte stream for {@code spec}, reached as {@link #connect} reaches it but before any hello:
   * for {@code tether conformance}, which speaks the protocol itself. Closing the transport ends the
   * agent process (local, --via) or the SSH connection.
   */
  public Transport rawTransport(RemoteSpec spec, Ui ui) throws IOException {
    if (spec.via != null) {
      return processTransport(List.of("/bin/sh", "-c", spec.via), "via '" + spec.via + "'");
    }
    if ("local".equals(spec.destination)) {
      return processTransport(localAgentCommand(), "local");
    }
    if (WsDestination.is(spec.destination)) {
      return rawWebSocket(spec);
    }
    SshConnection ssh = sshConnect(spec, ui);
    try (BootstrapDeadline deadline = new BootstrapDeadline(ssh.target().display(), BootstrapDeadline.configured(), ssh)) {
      RemoteProcess agent = new Bootstrap(ssh, jar, ui, ssh.target().display(), deadline::step).start();
      drain(agent.stderr(), "agent@" + ssh.target().display());
      AutoCloseable both = () -> {
        agent.close();
        ssh.close();
      };
      return new StreamTransport(agent.stdout(), agent.stdin(), both, "ssh " + ssh.target().display());
    } catch (IOException | RuntimeException e) {
      ssh.close();
      throw e;
    }
  }

  /** The WebSocket's byte stream; closing it also stops the client that opened it. */
  private static Transport rawWebSocket(RemoteSpec spec) throws IOException {
    if (spec.tokenProblem != null) {
      throw new TetherException(spec.tokenProblem);
    }
    WsConnector.Connected ws = WsConnector.connect(spec.destination, new WsConnector.Credentials(spec.token, spec.fingerprint));
    return new Transport() {
      @Override
      public InputStream input() {
        return ws.transport().input();
      }

      @Override
      public OutputStream output() {
        return ws.transport().output();
      }

      @Override
      public void close() {
        ws.transport().close();
        closeQuietly(ws.connection());
      }

      @Override
      public String description() {
        return ws.transport().description();
      }
    };
  }

  private List<String> localAgentCommand() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of(Bootstrap.AGENT_JVM.split(" ")));
    command.addAll(List.of("-jar", jar.path().toString(), "stdio"));
    return command;
  }

  private Transport processTransport(List<String> command, String display) throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new TetherException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    drain(process.getErrorStream(), "agent@" + display);
    AutoCloseable stop = () -> {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    };
    return new StreamTransport(process.getInputStream(), process.getOutputStream(), stop, display);
  }

  private Remote overSsh(RemoteSpec spec, Ui ui, SessionListener listener) throws IOException {
    SshConnection ssh = sshConnect(spec, ui);
    try (BootstrapDeadline deadline = new BootstrapDeadline(ssh.target().display(), BootstrapDeadline.configured(), ssh)) {
      try {
        SshAgent agent = startAgent(ssh, ui, deadline);
        return handshake(agent.display(), agent.transport(), agent.link(), agent.stderr(), listener, deadline::step);
      } catch (IOException | RuntimeException e) {
        ssh.close();
        if (deadline.expired()) {
          throw deadline.failure(e);
        }
        throw e;
      }
    }
  }

  /** Whether a lost connection to this destination can be re-established and the session resumed. */
  public static boolean canResume(RemoteSpec spec) {
    return spec.via == null && !"local".equals(spec.destination);
  }

  /**
   * Reconnects to the host of a session whose transport broke and resumes the session there: the
   * agent daemon on the host kept it, with its language servers and terminals. Nobody is prompted
   * (there may be no user): keys that need a passphrase typed again make this fail.
   *
   * @throws dev.tether.mux.MuxException when the agent no longer has the session (it is then closed)
   */
  public void resume(RemoteSpec spec, Remote remote) throws IOException {
    if (WsDestination.is(spec.destination)) {
      WsConnector.Connected ws = WsConnector.connect(spec.destination, new WsConnector.Credentials(spec.token, spec.fingerprint));
      try {
        remote.session().resume(ws.transport());
      } catch (IOException | RuntimeException e) {
        closeQuietly(ws.connection());
        throw e;
      }
      remote.replaceLink(wsLink(ws));
      return;
    }
    SshConnection ssh = sshConnect(spec, Ui.none());
    try (BootstrapDeadline deadline = new BootstrapDeadline(ssh.target().display(), BootstrapDeadline.configured(), ssh)) {
      try {
        SshAgent agent = startAgent(ssh, Ui.none(), deadline);
        deadline.step("resuming the session");
        remote.session().resume(agent.transport());
        remote.replaceLink(agent.link());
      } catch (IOException | RuntimeException e) {
        ssh.close();
        if (deadline.expired()) {
          throw deadline.failure(e);
        }
        throw e;
      }
    }
  }

  /** Over a WebSocket to {@code tether-remote serve}: the agent is already running there, nothing to install. */
  private Remote overWebSocket(RemoteSpec spec, Ui ui, SessionListener listener) throws IOException {
    if (spec.tokenProblem != null) {
      throw new TetherException(spec.tokenProblem);
    }
    ui.progress("connecting to " + spec.destination);
    WsConnector.Connected ws = WsConnector.connect(spec.destination, new WsConnector.Credentials(spec.token, spec.fingerprint));
    return handshake(spec.destination, ws.transport(), wsLink(ws), new ArrayDeque<>(), listener, step -> { });
  }

  private static Remote.Link wsLink(WsConnector.Connected ws) {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    ws.transport().ended().whenComplete((reason, e) -> closed.complete(null));
    return new Remote.Link(ws.connection(), closed, "websocket: " + ws.transport().description());
  }

  /** An SSH connection with a transport to the agent daemon on it (directly or through the relay). */
  private record SshAgent(String display, SshConnection ssh, Transport transport, Remote.Link link,
      ArrayDeque<String> stderr) {}

  /** What the transport closes, wrapped so that its closing completes {@code closed}. */
  private static AutoCloseable tracking(AutoCloseable resource, CompletableFuture<Void> closed) {
    return () -> {
      try {
        resource.close();
      } finally {
        closed.complete(null);
      }
    };
  }

  /** The authenticated connection; its own timeouts bound it (ConnectTimeout, the handshake, auth prompts). */
  private SshConnection sshConnect(RemoteSpec spec, Ui ui) throws IOException {
    try {
      SshDestination destination = SshDestination.parse(spec.destination);
      ui.progress("connecting to " + spec.destination);
      return new SshConnector(environment, ui).connect(destination, sshOptions(spec.sshArgs));
    } catch (SshFailure e) {
      throw new TetherException(e.getMessage(), e);
    }
  }

  /**
   * Installs the agent when needed and reaches its daemon: straight to the daemon's socket through a
   * {@code direct-streamlocal@openssh.com} channel (no process of ours on the host for the session),
   * else through the relay {@code tether-remote stdio --daemon}. The caller closes {@code ssh} on failure.
   */
  private SshAgent startAgent(SshConnection ssh, Ui ui, BootstrapDeadline deadline) throws IOException {
    String display = ssh.target().display();
    Bootstrap bootstrap = new Bootstrap(ssh, jar, ui, display, deadline::step);
    bootstrap.prepare();
    String socket = bootstrap.daemonSocket();
    String why = socket == null ? "the host's $HOME is not an absolute path" : refusedDirect.get(display);
    if (why == null && RELAY.equals(System.getProperty(ROUTE_PROPERTY))) {
      why = "-D" + ROUTE_PROPERTY + "=" + RELAY + " asks for it";
    }
    if (why == null) {
      try {
        return direct(ssh, bootstrap, socket, deadline);
      } catch (StreamLocal.Refused e) {
        why = e.unknownChannelType()
            ? "the SSH server does not know " + StreamLocal.CHANNEL_TYPE + " (not OpenSSH?)"
            : "the SSH server refused " + StreamLocal.CHANNEL_TYPE + " to the running agent daemon"
                + " (AllowStreamLocalForwarding no, or DisableForwarding, in its sshd_config?)";
        refusedDirect.put(display, why);
        LOG.info("{}: {}; using the relay from now on ({})", display, why, e.getMessage());
      }
    }
    RemoteProcess agent = bootstrap.relay();
    ArrayDeque<String> stderr = drain(agent.stderr(), "agent@" + display);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Transport transport = new StreamTransport(agent.stdout(), agent.stdin(), tracking(agent, closed), "ssh " + display);
    String route = "relay: tether-remote stdio --daemon on the host, because " + why;
    return new SshAgent(display, ssh, transport, new Remote.Link(ssh, closed, route), stderr);
  }

  /**
   * The daemon's socket through the SSH server. OpenSSH answers "nothing listens there" and
   * "forwarding refused" alike, so a first refusal starts the daemon and tries once more: a second
   * one is the server's.
   */
  private SshAgent direct(SshConnection ssh, Bootstrap bootstrap, String socket, BootstrapDeadline deadline)
      throws IOException {
    deadline.step("connecting to the agent daemon's socket (" + StreamLocal.CHANNEL_TYPE + ")");
    StreamLocal stream;
    try {
      stream = ssh.openStreamLocal(socket);
    } catch (StreamLocal.Refused first) {
      if (first.unknownChannelType()) {
        throw first;
      }
      bootstrap.ensureDaemon();
      deadline.step("connecting to the agent daemon's socket (" + StreamLocal.CHANNEL_TYPE + "), again");
      stream = ssh.openStreamLocal(socket);
    }
    String display = ssh.target().display();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Transport transport = new StreamTransport(stream.input(), stream.output(), tracking(stream, closed), "ssh " + display);
    String route = "direct: " + StreamLocal.CHANNEL_TYPE + " to " + socket + ", no relay process on the host";
    return new SshAgent(display, ssh, transport, new Remote.Link(ssh, closed, route), new ArrayDeque<>());
  }

  static SshOptions sshOptions(List<String> args) throws TetherException {
    SshOptions.Builder builder = SshOptions.builder();
    for (int i = 0; i < args.size(); i += 2) {
      String flag = args.get(i);
      String value = args.get(i + 1);
      switch (flag) {
        case "-F" -> builder.configFile(java.nio.file.Path.of(value));
        case "-i" -> builder.identity(java.nio.file.Path.of(value));
        case "-p" -> builder.port(Integer.parseInt(value));
        case "-J" -> builder.jump(value);
        case "-o" -> builder.option(value);
        default -> throw new TetherException("unknown ssh option " + flag);
      }
    }
    return builder.build();
  }

  private Remote overProcess(RemoteSpec spec, List<String> command, String display, SessionListener listener)
      throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new TetherException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    ArrayDeque<String> stderr = drain(process.getErrorStream(), "agent@" + display);
    AutoCloseable stop = () -> {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    };
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Transport transport = new StreamTransport(process.getInputStream(), process.getOutputStream(),
        tracking(stop, closed), display);
    return handshake(display, transport, new Remote.Link(stop, closed, "process: " + display), stderr, listener,
        step -> { });
  }

  private Remote handshake(String display, Transport transport, Remote.Link link, ArrayDeque<String> stderr,
      SessionListener listener, Consumer<String> step) throws IOException {
    step.accept("waiting for the agent's handshake");
    Session session;
    try {
      session = Session.connect(transport, SessionConfig.defaults().withName(display)
          .withAgent("tether/" + Version.current()).withListener(listener));
    } catch (IOException e) {
      closeQuietly(link.connection());
      throw new TetherException("the agent on " + display + " did not start: " + e.getMessage() + lastLines(stderr), e);
    }
    SysInfo info;
    try {
      step.accept("waiting for the agent's sys/info answer");
      info = sysInfo(session);
    } catch (IOException e) {
      session.close();
      closeQuietly(link.connection());
      throw new TetherException("the agent on " + display + " did not answer sys/info: " + e.getMessage(), e);
    }
    if (!Version.current().equals(info.agentVersion)) {
      session.close();
      closeQuietly(link.connection());
      throw new TetherException("the agent on " + display + " is tether-remote " + info.agentVersion
          + " but this tether is " + Version.current() + "; use the same version on both sides");
    }
    return new Remote(display, session, link, info, Instant.now());
  }

  public static SysInfo sysInfo(Session session) throws IOException {
    Channel channel = session.open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
    try {
      return SysClient.over(channel).info().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw e instanceof MuxException mux ? mux : new IOException(e.getMessage(), e);
    } finally {
      channel.close();
    }
  }

  /** Copies the agent's stderr into our log, keeping the last lines for error messages. */
  private static ArrayDeque<String> drain(InputStream stderr, String name) {
    ArrayDeque<String> tail = new ArrayDeque<>();
    Thread thread = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          LOG.info("[{}] {}", name, line);
          synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > 5) {
              tail.removeFirst();
            }
          }
        }
      } catch (IOException ignored) {
        // the agent is gone
      }
    }, "stderr " + name);
    thread.setDaemon(true);
    thread.start();
    return tail;
  }

  private static String lastLines(ArrayDeque<String> tail) {
    synchronized (tail) {
      return tail.isEmpty() ? "" : " (agent stderr: " + String.join(" | ", tail) + ")";
    }
  }

  private static void closeQuietly(AutoCloseable link) {
    try {
      link.close();
    } catch (Exception ignored) {
      // best effort
    }
  }
}
