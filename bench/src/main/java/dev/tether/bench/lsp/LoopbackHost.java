package dev.tether.bench.lsp;

import dev.tether.local.net.CutProxy;
import dev.tether.local.net.NetNamespace;
import dev.tether.local.ssh.OpenSshServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's "host": Debian's OpenSSH sshd on 127.0.0.1 (bridge-local's test fixture, with its
 * temp host and client keys), and the commands of the three paths to the same ping server on it:
 * spawned directly, through {@code ssh host server}, and through {@code tether lsp} with a private
 * daemon ({@code TETHER_RUNTIME_DIR} in a temp directory). Every process goes through {@link #processes}.
 *
 * <p>{@link #behindBadNetwork} puts sshd in a network namespace of its own instead, reached over a veth
 * pair through a proxy on 127.0.0.1 that can delay each chunk, with packet loss inside the namespace
 * ({@link #network}); every client (ssh, sftp, tether) then connects to the proxy.
 */
final class LoopbackHost implements AutoCloseable {
  /** The JVM flags of the {@code ./tether} launcher, so the CLI runs here as it runs for users. */
  static final List<String> LAUNCHER_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
  private static final List<String> SCRUBBED = List.of("SSH_AUTH_SOCK", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE",
      "DISPLAY", "TETHER_LOG", "TETHER_RUNTIME_DIR", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "JAVA_TOOL_OPTIONS");

  final String javaCommand = ProcessHandle.current().info().command().orElse("java");
  final ProcessTable processes = new ProcessTable();
  private final Path classes;
  private final Path launcher;
  private final Path cliJar;
  private final Path agentJar;
  private final Path dir;
  private final Path logs;
  private final Path runtimeDir;
  private final Path knownHosts;
  private final Path sshConfig;
  private final OpenSshServer sshd;
  /** The namespace and the proxy of {@link #behindBadNetwork}; null on plain loopback. */
  private final NetNamespace namespace;
  private final CutProxy path;
  /** The port every client connects to on 127.0.0.1: sshd's, or the proxy's in front of it. */
  private final int connectPort;
  private int serial;
  private final java.time.Instant started = java.time.Instant.now();

  LoopbackHost(Path root) throws IOException {
    this(root, false);
  }

  /**
   * sshd in a network namespace this host makes (needs root, iproute2 and nftables), behind a delaying
   * proxy; no delay and no loss until {@link #network}.
   */
  static LoopbackHost behindBadNetwork(Path root) throws IOException {
    return new LoopbackHost(root, true);
  }

  private LoopbackHost(Path root, boolean namespaced) throws IOException {
    classes = root.resolve("bench/target/classes");
    launcher = root.resolve("tether");
    cliJar = root.resolve("bridge-local/target/tether.jar");
    agentJar = root.resolve("bridge-remote/target/tether-remote.jar");
    for (Path p : List.of(classes.resolve("dev/tether/bench/lsp/PingServer.class"), cliJar, agentJar)) {
      if (!Files.exists(p)) {
        throw new IllegalStateException(p + " is missing: build with bench/run-lsp-bench.sh (without LSP_BENCH_SKIP_BUILD)");
      }
    }
    dir = Files.createTempDirectory("tether-lsp-bench-");
    logs = Files.createDirectories(dir.resolve("logs"));
    runtimeDir = dir.resolve("run");
    knownHosts = dir.resolve("known_hosts");
    sshConfig = dir.resolve("ssh_config");
    Files.writeString(sshConfig, "# empty: neither ssh nor tether reads the user's ~/.ssh/config here\n");
    if (namespaced) {
      namespace = NetNamespace.create();
      OpenSshServer started = null;
      CutProxy proxy = null;
      try {
        started = OpenSshServer.inNamespace(namespace.name, namespace.inside);
        proxy = CutProxy.delaying(namespace.inside, started.port());
      } catch (IOException | RuntimeException e) {
        if (started != null) {
          started.close();
        }
        namespace.close();
        throw e;
      }
      sshd = started;
      path = proxy;
      connectPort = path.port();
    } else {
      namespace = null;
      path = null;
      sshd = OpenSshServer.start();
      connectPort = sshd.port();
    }
    Files.writeString(knownHosts, sshd.knownHostsLine("127.0.0.1", connectPort) + "\n");
  }

  /**
   * From now on: {@code oneWayMillis} added to each direction by the proxy, and {@code lossPercent} % of
   * the packets into and out of sshd's namespace dropped by the kernel. Only behind a bad network.
   */
  void network(long oneWayMillis, int lossPercent) throws IOException {
    path.delay(oneWayMillis);
    namespace.loss(lossPercent);
  }

  /** The ping server's own command line, the same in every path. */
  List<String> pingServer() {
    return List.of(javaCommand, "-XX:+UseSerialGC", "-cp", classes.toString(), PingServer.class.getName());
  }

  ProcessBuilder direct() {
    return builder(pingServer(), "direct");
  }

  private List<String> sshBase() {
    return List.of("/usr/bin/ssh", "-F", sshConfig.toString(), "-p", Integer.toString(connectPort),
        "-i", sshd.clientKey().toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR",
        sshd.user() + "@127.0.0.1");
  }

  /** {@code ssh host server}: OpenSSH's client, a fresh connection each time. */
  ProcessBuilder openSsh() {
    List<String> command = new ArrayList<>(sshBase());
    command.addAll(pingServer());
    return builder(command, "ssh");
  }

  /** {@code ssh host COMMAND}: OpenSSH's client running one remote shell command. */
  ProcessBuilder openSshCommand(String remoteCommand) {
    List<String> command = new ArrayList<>(sshBase());
    command.add(remoteCommand);
    return builder(command, "ssh-command");
  }

  /** {@code sftp -b BATCH host}: OpenSSH's SFTP client running a batch file. */
  ProcessBuilder sftp(Path batch) {
    return builder(List.of("/usr/bin/sftp", "-q", "-b", batch.toString(), "-F", sshConfig.toString(),
        "-P", Integer.toString(connectPort), "-i", sshd.clientKey().toString(), "-o", "IdentitiesOnly=yes",
        "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
        "-o", "LogLevel=ERROR", sshd.user() + "@127.0.0.1"), "sftp");
  }

  /** The connection arguments of a tether command to this host: ssh-style flags, then DESTINATION. */
  List<String> tetherConnectionArgs() {
    return List.of("-F", sshConfig.toString(), "-p", Integer.toString(connectPort), "-i", sshd.clientKey().toString(),
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes", sshd.user() + "@127.0.0.1");
  }

  /** {@code ssh host true}: OpenSSH's connection set-up alone. */
  ProcessBuilder openSshTrue() {
    List<String> command = new ArrayList<>(sshBase());
    command.add("true");
    return builder(command, "ssh-true");
  }

  /** {@code tether lsp HOST -- server} over the sshd, the CLI with {@code cliFlags}. */
  ProcessBuilder tetherLsp(List<String> cliFlags) {
    List<String> args = new ArrayList<>(List.of("lsp"));
    args.addAll(tetherConnectionArgs());
    args.add("--");
    args.addAll(pingServer());
    return builder(tether(cliFlags, args), "tether-lsp");
  }

  /**
   * {@code tether lsp local -- server}: the same bridge with the agent as the daemon's child, no SSH;
   * the difference to {@link #tetherLsp} is what SSH costs.
   */
  ProcessBuilder tetherLspLocal(List<String> cliFlags) {
    List<String> args = new ArrayList<>(List.of("lsp", "local", "--"));
    args.addAll(pingServer());
    return builder(tether(cliFlags, args), "tether-lsp-local");
  }

  /** The processes a round trip may wake outside the benchmark's own children: sshd's tree and the daemon's. */
  List<ProcessHandle> serverSide() {
    List<ProcessHandle> roots = new ArrayList<>();
    ProcessHandle.of(sshd.pid()).ifPresent(roots::add);
    daemon().ifPresent(roots::add);
    return roots;
  }

  /**
   * The processes of the {@code tether lsp} path by role, for {@code cli}: the CLI, the daemon, sshd's
   * per-connection processes, the agent, and the servers the agent runs.
   */
  Map<String, List<Long>> tetherRoles(Process cli) {
    Map<String, List<Long>> roles = new java.util.LinkedHashMap<>();
    roles.put("CLI (`tether lsp`)", List.of(cli.pid()));
    roles.put("daemon", daemon().map(d -> List.of(d.pid())).orElse(List.of()));
    roles.put("sshd (its per-connection processes)", ProcessHandle.of(sshd.pid()).stream().flatMap(ProcessHandle::descendants)
        .filter(p -> p.info().command().map(c -> c.contains("sshd")).orElse(false)).map(ProcessHandle::pid).toList());
    List<ProcessHandle> agents = agents();
    roles.put("agent relay (tether-remote stdio --daemon; none on the direct path)", relays().stream().map(ProcessHandle::pid).toList());
    roles.put("agent", agents.stream().map(ProcessHandle::pid).toList());
    roles.put("ping servers (children of the agent)", agents.stream().flatMap(ProcessHandle::children).map(ProcessHandle::pid).toList());
    return roles;
  }

  /** TCP connections sshd has accepted so far. */
  int sshConnections() {
    return sshd.acceptedConnections();
  }

  /** A file in the run's temp directory (deleted at the end). */
  Path tempFile(String name) {
    return dir.resolve(name);
  }

  /**
   * {@code ./tether lsp HOST -- server}: through the checkout's launcher, as users run it (its JVM flags
   * and class-data archive, and the shell and up-to-date check before the JVM).
   */
  ProcessBuilder launcherLsp() {
    List<String> command = new ArrayList<>(tetherLsp(List.of()).command());
    int lsp = command.indexOf("lsp");
    List<String> args = new ArrayList<>(List.of(launcher.toString()));
    args.addAll(command.subList(lsp, command.size()));
    return builder(args, "launcher-lsp");
  }

  /** {@code ./tether ARGS}. */
  ProcessBuilder launcherCommand(String... args) {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    return builder(command, "launcher").redirectOutput(logs.resolve("out-" + serial + ".txt").toFile());
  }

  /** The launcher's class-data archive, if it made one. */
  boolean launcherArchiveExists() {
    Path archive = cliJar.resolveSibling("tether-cli.jsa");
    try {
      return Files.size(archive) > 0 && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(cliJar)) >= 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Any other tether command ({@code --version}, {@code status}, {@code daemon stop}). */
  ProcessBuilder tetherCommand(List<String> cliFlags, String... args) {
    String name = "tether-" + args[args.length - 1].replaceAll("[^A-Za-z0-9.-]", "_");
    return builder(tether(cliFlags, List.of(args)), name.substring(0, Math.min(name.length(), 60)))
        .redirectOutput(logs.resolve("out-" + serial + ".txt").toFile());
  }

  private List<String> tether(List<String> cliFlags, List<String> args) {
    List<String> command = new ArrayList<>(List.of(javaCommand));
    command.addAll(cliFlags);
    // A safety net only: stopDaemon() ends the daemon; should the benchmark die first, it leaves on its own.
    command.addAll(List.of("-Dtether.agent.jar=" + agentJar, "-Dtether.daemon.idle=300"));
    // lsp, exec and fs start the front end that hands its stdio to the daemon, as ./tether does (where the
    // build has one: the same harness measures a build from before it with -jar).
    if (HANDED_OVER.contains(args.get(0)) && hasFrontEnd()) {
      command.addAll(List.of("-cp", cliJar.toString(), FRONT_END));
    } else {
      command.addAll(List.of("-jar", cliJar.toString()));
    }
    command.addAll(args);
    return command;
  }

  private static final List<String> HANDED_OVER = List.of("lsp", "dap", "exec", "fs");
  private static final String FRONT_END = "dev.tether.local.front.HandOver";

  /** Whether tether.jar has the hand-over front end (builds before it had not). */
  boolean hasFrontEnd() {
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(cliJar.toFile())) {
      return jar.getEntry(FRONT_END.replace('.', '/') + ".class") != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code tether exec HOST -- COMMAND}, stdout to the log. */
  ProcessBuilder tetherExec(List<String> cliFlags, String remoteCommand) {
    List<String> args = new ArrayList<>(List.of("exec"));
    args.addAll(tetherConnectionArgs());
    args.addAll(List.of("--", remoteCommand));
    return builder(tether(cliFlags, args), "tether-exec").redirectOutput(logs.resolve("out-" + serial + ".txt").toFile());
  }

  /** The ControlMaster socket of {@link #openSshMaster}. */
  Path controlPath() {
    return dir.resolve("ssh-control");
  }

  /** {@code ssh -M -S CTL -N host}: an OpenSSH ControlMaster, in the foreground (ended by pid). */
  ProcessBuilder openSshMaster() {
    List<String> command = new ArrayList<>(sshBase());
    command.addAll(1, List.of("-M", "-S", controlPath().toString(), "-N"));
    return builder(command, "ssh-master");
  }

  /** {@code ssh -S CTL host server}: the ping server through the ControlMaster's connection. */
  ProcessBuilder openSshServerViaMaster() {
    List<String> command = new ArrayList<>(sshBase());
    command.addAll(1, List.of("-S", controlPath().toString(), "-o", "ControlMaster=no"));
    command.addAll(pingServer());
    return builder(command, "ssh-server-via-master");
  }

  /** The OpenSSH processes of this host's side: sshd's per-connection processes (not the listener). */
  List<Long> sshdSessions() {
    return ProcessHandle.of(sshd.pid()).stream().flatMap(ProcessHandle::descendants)
        .filter(p -> p.info().command().map(c -> c.contains("sshd")).orElse(false)).map(ProcessHandle::pid).toList();
  }

  /** {@code ssh -S CTL host COMMAND}: through the ControlMaster's connection. */
  ProcessBuilder openSshViaMaster(String remoteCommand) {
    List<String> command = new ArrayList<>(sshBase());
    command.addAll(1, List.of("-S", controlPath().toString(), "-o", "ControlMaster=no"));
    command.add(remoteCommand);
    return builder(command, "ssh-via-master");
  }

  private ProcessBuilder builder(List<String> command, String what) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectError(logs.resolve(what + "-" + (++serial) + ".stderr").toFile());
    Map<String, String> env = builder.environment();
    SCRUBBED.forEach(env::remove);
    env.put("TETHER_RUNTIME_DIR", runtimeDir.toString());
    env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    return builder;
  }

  /** Runs a command to its end, stdin empty; fails if it exits non-zero. */
  void run(ProcessBuilder builder) throws IOException, InterruptedException {
    Process process = processes.start(builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      ProcessTable.endTree(process.toHandle());
      throw new IOException(builder.command() + " did not finish in 60 s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(builder.command() + " exited " + process.exitValue() + "; logs in " + logs);
    }
  }

  Optional<ProcessHandle> daemon() {
    try {
      Path pidFile = runtimeDir.resolve("daemon.pid");
      return Files.exists(pidFile) ? ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The agents: the agent daemons ({@code tether-remote daemon}) started since this host was, which
   * hold the sessions and run the servers; sshd runs only their relays ({@link #relays}).
   */
  List<ProcessHandle> agents() {
    String socket = "tether-remote-" + agentJarHash() + ".sock"; // this build's: others' tests run here too
    return ProcessHandle.allProcesses()
        .filter(p -> ProcessTable.commandLine(p).contains("dev.tether.remote.TetherRemote daemon "))
        .filter(p -> ProcessTable.commandLine(p).contains(socket))
        .filter(p -> !p.info().startInstant().orElse(java.time.Instant.EPOCH).isBefore(started))
        .toList();
  }

  /** The first 12 hex digits of the agent jar's SHA-256, which name its daemon's socket. */
  private String agentJarHash() {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(agentJar));
      return java.util.HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash " + agentJar + ": " + e.getMessage(), e);
    }
  }

  /** The agent relays ({@code tether-remote.jar stdio --daemon}) sshd is running, one per connection. */
  List<ProcessHandle> relays() {
    return agentsUnder(ProcessHandle.of(sshd.pid()));
  }

  /** The agent the daemon runs as its child for {@code local}. */
  List<ProcessHandle> localAgents() {
    return agentsUnder(daemon());
  }

  private static List<ProcessHandle> agentsUnder(Optional<ProcessHandle> root) {
    return root.stream().flatMap(ProcessHandle::descendants)
        .filter(p -> ProcessTable.commandLine(p).matches(".*tether-remote\\.jar stdio\\b.*")).toList();
  }

  /**
   * No daemon and no agent afterwards: {@code tether daemon stop} as a user does, then by pid whatever
   * is left, and the agents it ran (which end with their session).
   */
  void stopDaemon() throws IOException, InterruptedException {
    Optional<ProcessHandle> daemon = daemon().filter(ProcessHandle::isAlive);
    List<ProcessHandle> agents = new ArrayList<>(relays());
    agents.addAll(localAgents());
    if (daemon.isPresent()) {
      run(tetherCommand(LAUNCHER_FLAGS, "daemon", "stop"));
      if (!ProcessTable.awaitExit(daemon.get(), 15_000)) {
        ProcessTable.endTree(daemon.get());
      }
    }
    for (ProcessHandle agent : agents) {
      if (!ProcessTable.awaitExit(agent, 15_000)) {
        ProcessTable.endTree(agent);
      }
    }
  }

  Path logs() {
    return logs;
  }

  @Override
  public void close() {
    try {
      processes.close();
      try {
        stopDaemon();
      } catch (IOException | InterruptedException | RuntimeException e) {
        System.err.println("lsp-bench: tether daemon stop failed (" + e.getMessage() + "); ending it by pid");
      }
      daemon().ifPresent(ProcessTable::endTree);
      relays().forEach(ProcessTable::endTree);
      agents().forEach(ProcessTable::endTree); // agent daemons outlive connections, not the benchmark
    } finally {
      sshd.close();
      if (path != null) {
        path.close();
        namespace.close();
      }
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
