package dev.tether.conformance.fault;

import dev.tether.conformance.lsp.Processes;
import dev.tether.local.ssh.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A host for the fault suite: Debian's real OpenSSH sshd, owned by one test, whose sessions run
 * with a HOME of their own ({@code SetEnv HOME=…}, and SFTP starting there), so the agent, its
 * daemon, its sockets and the language servers it starts belong to this test alone and are found
 * from that HOME and the sshd's pid, never by scanning other people's processes. It may listen on
 * 127.0.0.1 or, started through {@code ip netns exec NS}, on an address of a network namespace the
 * test made.
 *
 * <p>{@link #close} ends sshd, its per-connection children and the agent daemon it started, by pid;
 * the caller deletes the directory it gave.
 */
final class FaultHost implements AutoCloseable {
  private static final Path SSHD = Path.of("/usr/sbin/sshd");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Path dir;
  private final Path home;
  private final Path clientKey;
  private final Path hostKey;
  private final Path log;
  private final String address;
  private final int port;
  private final Process sshd;

  private FaultHost(Path dir, String address, int port, List<String> prefix) throws IOException {
    this.dir = dir;
    this.address = address;
    this.port = port;
    home = Files.createDirectories(dir.resolve("home"));
    log = dir.resolve("sshd.log");
    hostKey = TestKeys.generate(dir, "ssh_host_ecdsa_key", "");
    clientKey = TestKeys.generate(dir, "client_key", "");
    Path authorized = dir.resolve("authorized_keys");
    Files.writeString(authorized, TestKeys.publicLine(clientKey) + "\n");
    Files.createDirectories(Path.of("/run/sshd")); // privilege-separation directory sshd insists on
    Path config = dir.resolve("sshd_config");
    Files.writeString(config, String.join("\n", List.of(
        "ListenAddress " + address + ":" + port,
        "HostKey " + hostKey,
        "AuthorizedKeysFile " + authorized,
        "PidFile none",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UseDNS no",
        "LogLevel VERBOSE",
        "SetEnv HOME=" + home,
        // The bootstrap uploads relative to the SFTP server's start directory: the same HOME.
        "Subsystem sftp /usr/lib/openssh/sftp-server -d " + home,
        "")));
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()));
    sshd = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    awaitListening();
  }

  /** sshd on 127.0.0.1, a free port. */
  static FaultHost onLoopback(Path dir) {
    return start(dir, "127.0.0.1", freePort(), List.of());
  }

  /** sshd inside network namespace {@code namespace}, on {@code address}:22. */
  static FaultHost inNamespace(Path dir, String namespace, String address) {
    return start(dir, address, 22, List.of("ip", "netns", "exec", namespace));
  }

  private static FaultHost start(Path dir, String address, int port, List<String> prefix) {
    if (!Files.isExecutable(SSHD)) {
      throw new AssertionError("OpenSSH server not installed: apt-get install openssh-server");
    }
    try {
      return new FaultHost(Files.createDirectories(dir), address, port, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start sshd for the fault suite", e);
    }
  }

  private void awaitListening() throws IOException {
    String ready = "Server listening on " + address + " port " + port;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!log().contains(ready)) {
      if (!sshd.isAlive() || System.nanoTime() > deadline) {
        Processes.endTree(sshd.toHandle());
        throw new IOException("sshd did not start on " + address + ":" + port + "; log: " + log().strip());
      }
      try {
        sshd.waitFor(10, java.util.concurrent.TimeUnit.MILLISECONDS); // polls the log, bounded above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting sshd", e);
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String address() {
    return address;
  }

  int port() {
    return port;
  }

  /** The HOME the host's sessions run with: the agent's {@code ~/.tether} is here. */
  Path home() {
    return home;
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /**
   * An ssh_config block for {@code alias} reaching this host at {@code hostName}:{@code port} (its
   * own address, or a proxy in front of it), the host key pinned under that name.
   */
  List<String> hostConfig(String alias, String hostName, int port, Path knownHosts) throws IOException {
    String name = port == 22 ? hostName : "[" + hostName + "]:" + port;
    Files.writeString(knownHosts, name + " " + TestKeys.publicLine(hostKey) + "\n");
    return List.of(
        "Host " + alias,
        "  HostName " + hostName,
        "  Port " + port,
        "  User " + System.getProperty("user.name"),
        "  IdentityFile " + clientKey,
        "  IdentitiesOnly yes",
        "  UserKnownHostsFile " + knownHosts,
        "  StrictHostKeyChecking yes",
        "  BatchMode yes",
        "");
  }

  /** sshd's per-connection processes (the privileged monitor of each connection). */
  List<ProcessHandle> connectionProcesses() {
    return sshd.toHandle().children().toList();
  }

  /** The agent relays ({@code tether-remote.jar stdio}) running under this sshd. */
  List<ProcessHandle> relays() {
    return Processes.agentsUnder(sshd.toHandle());
  }

  /** The agent daemon serving this HOME, by the pid file it wrote. */
  Optional<ProcessHandle> agentDaemon() {
    Path run = home.resolve(".tether/run");
    try (Stream<Path> files = Files.exists(run) ? Files.list(run) : Stream.empty()) {
      for (Path pid : files.filter(p -> p.toString().endsWith(".sock.pid")).toList()) {
        Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()));
        if (handle.isPresent() && handle.get().isAlive()) {
          return handle;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** pylsp processes the agent daemon of this HOME started. */
  List<ProcessHandle> languageServers() {
    return agentDaemon().map(d -> d.descendants().filter(Processes::isLanguageServer).toList()).orElse(List.of());
  }

  /** Every live process whose environment has this host's HOME: what the host side left running. */
  List<ProcessHandle> processesOfThisHome() {
    String marker = "HOME=" + home;
    return ProcessHandle.allProcesses().filter(p -> environ(p).contains(marker)).toList();
  }

  private static List<String> environ(ProcessHandle process) {
    try {
      return List.of(Files.readString(Path.of("/proc", Long.toString(process.pid()), "environ")).split("\0"));
    } catch (IOException | RuntimeException e) {
      return List.of(); // gone, or not ours to read
    }
  }

  @Override
  public void close() {
    Processes.endTree(sshd.toHandle());
    agentDaemon().ifPresent(Processes::endTree);
    processesOfThisHome().forEach(Processes::endTree);
    // Its directory (the host's HOME, logs included) goes with the test's own temp directory.
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: temp files of a finished test
    }
  }
}
