package dev.tether.local.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: Debian's real OpenSSH server ({@code /usr/sbin/sshd -D -e -f CONFIG}) on 127.0.0.1
 * with a random free port, temp host key, temp authorized_keys holding a temp client key, and its log
 * (LogLevel VERBOSE, stderr) in a file. Runs as the current user; on a root machine root may log in
 * with keys only. {@link #close()} ends sshd and its per-connection children by pid and deletes
 * every temp file.
 *
 * <p>A missing sshd is a test FAILURE, never a skip: the integration tests are mandatory.
 */
public final class OpenSshServer implements SshServerFixture {
  public static final Path SSHD = Path.of("/usr/sbin/sshd");
  public static final String NOT_INSTALLED = "OpenSSH server not installed: apt-get install openssh-server";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final int BIND_ATTEMPTS = 3;

  private final Path dir;
  private final Path authorizedKeys;
  private final Path log;
  private final List<String> extraConfig;
  /** Where sshd listens; {@link #inNamespace} moves it into a network namespace. */
  private final String address;
  private final List<String> prefix;
  private Path clientKey;
  private Path hostKey;
  private Process process;
  private int port;

  private OpenSshServer(Path sshd, List<String> extraConfig, String address, List<String> prefix) throws IOException {
    this.extraConfig = List.copyOf(extraConfig);
    this.address = address;
    this.prefix = List.copyOf(prefix);
    dir = Files.createTempDirectory("tether-openssh-");
    authorizedKeys = dir.resolve("authorized_keys");
    log = dir.resolve("sshd.log");
    try {
      init(sshd);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void init(Path sshd) throws IOException {
    hostKey = TestKeys.generate(dir, "ssh_host_ecdsa_key", "");
    clientKey = TestKeys.generate(dir, "client_key", "");
    Files.writeString(authorizedKeys, TestKeys.publicLine(clientKey) + "\n");
    Files.createDirectories(Path.of("/run/sshd")); // privilege-separation directory sshd insists on
    if (prefix.isEmpty()) {
      startOnFreePort(sshd);
    } else {
      port = 22; // a namespace of the caller's own: nothing else listens there
      startOn(sshd);
      if (!awaitListening()) {
        String text = log();
        TestProcesses.endTree(process.toHandle());
        throw new IllegalStateException("sshd did not start on " + address + ":" + port + "; log: " + text.strip());
      }
    }
  }

  /** Starts a fresh server; fails with {@link #NOT_INSTALLED} when sshd is missing. */
  public static OpenSshServer start() {
    return start(SSHD);
  }

  /**
   * A fresh server with {@code extraConfig} lines first in its sshd_config, e.g. {@code
   * AllowStreamLocalForwarding no} (sshd takes a keyword's first value, so they win over the fixture's).
   */
  public static OpenSshServer startWith(String... extraConfig) {
    return start(SSHD, List.of(extraConfig));
  }

  /**
   * A fresh server inside network namespace {@code namespace} (started through {@code ip netns exec}),
   * on {@code address}:22; the caller made the namespace and reaches it over its own path (a veth pair,
   * a proxy), so {@link #knownHostsLine(String, int)} names what the client connects to.
   */
  public static OpenSshServer inNamespace(String namespace, String address) {
    return start(SSHD, List.of(), address, List.of("ip", "netns", "exec", namespace));
  }

  static OpenSshServer start(Path sshd) {
    return start(sshd, List.of());
  }

  private static OpenSshServer start(Path sshd, List<String> extraConfig) {
    return start(sshd, extraConfig, "127.0.0.1", List.of());
  }

  private static OpenSshServer start(Path sshd, List<String> extraConfig, String address, List<String> prefix) {
    if (!Files.isExecutable(sshd)) {
      throw new IllegalStateException(NOT_INSTALLED);
    }
    try {
      return new OpenSshServer(sshd, extraConfig, address, prefix);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot start OpenSSH server: " + e.getMessage(), e);
    }
  }

  private void startOnFreePort(Path sshd) throws IOException {
    for (int attempt = 1; ; attempt++) {
      port = freePort();
      startOn(sshd);
      if (awaitListening()) {
        return;
      }
      String text = log();
      TestProcesses.endTree(process.toHandle());
      // Another process may have taken the port between probing and binding: try another one.
      if (attempt >= BIND_ATTEMPTS || !text.contains("Address already in use")) {
        throw new IllegalStateException("sshd did not start on 127.0.0.1:" + port + "; log: " + text.strip());
      }
    }
  }

  private void startOn(Path sshd) throws IOException {
    Path config = writeConfig();
    Files.deleteIfExists(log);
    List<String> command = new java.util.ArrayList<>(prefix);
    command.addAll(List.of(sshd.toString(), "-D", "-e", "-f", config.toString()));
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
  }

  private Path writeConfig() throws IOException {
    Path config = dir.resolve("sshd_config");
    List<String> lines = new java.util.ArrayList<>(extraConfig);
    lines.addAll(List.of(
        "ListenAddress " + address + ":" + port,
        "HostKey " + hostKey,
        "AuthorizedKeysFile " + authorizedKeys,
        "PidFile none",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "AllowTcpForwarding yes",
        "UseDNS no",
        "LogLevel VERBOSE",
        "Subsystem sftp /usr/lib/openssh/sftp-server",
        ""));
    Files.writeString(config, String.join("\n", lines));
    return config;
  }

  /** Waits for sshd's own "Server listening" line, so no probe connection pollutes the count. */
  private boolean awaitListening() throws IOException {
    String ready = "Server listening on " + address + " port " + port;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (log().contains(ready)) {
        return true;
      }
      if (!process.isAlive()) {
        return false;
      }
      try {
        process.waitFor(10, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting sshd", e);
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Override
  public int port() {
    return port;
  }

  /** The pid of the listening sshd. */
  public long pid() {
    return process.pid();
  }

  @Override
  public Path clientKey() {
    return clientKey;
  }

  public Path hostKeyFile() {
    return hostKey;
  }

  @Override
  public String knownHostsLine() {
    return knownHostsLine(address, port);
  }

  /** The host key as known_hosts has it for a client that reaches this server as {@code host}:{@code port}. */
  public String knownHostsLine(String host, int port) {
    return "[" + host + "]:" + port + " " + TestKeys.publicLine(hostKey);
  }

  @Override
  public void authorize(Path privateKey) {
    try {
      Files.writeString(authorizedKeys, TestKeys.publicLine(privateKey) + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Counts sshd's VERBOSE "Connection from ... on 127.0.0.1 port PORT" lines: one per accepted TCP connection. */
  @Override
  public int acceptedConnections() {
    Matcher m = Pattern.compile("Connection from \\S+ port \\d+ on " + Pattern.quote(address) + " port " + port + "\\b").matcher(log());
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Per-connection sshd children alive right now. */
  public long activeConnections() {
    return process.toHandle().children().count();
  }

  public Path logFile() {
    return log;
  }

  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Kills the per-connection sshd processes: every connection drops as in a network failure. */
  @Override
  public void dropConnections() {
    process.toHandle().children().forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * Ends sshd and its children by pid, and the agent daemons started through it (they outlive
   * connections by design, but not the test; found by the port in their SSH_CONNECTION, so other
   * tests' daemons on this machine are left alone); deletes the temp directory. Idempotent.
   */
  @Override
  public void close() {
    if (process != null) {
      TestProcesses.endTree(process.toHandle());
      TestProcesses.endAgentDaemonsOf(address, port);
    }
    FileTrees.deleteQuietly(dir);
  }
}
