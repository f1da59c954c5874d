package dev.tether.conformance.ports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.ports.ListeningSocket;
import dev.tether.adapters.ports.PortList;
import dev.tether.adapters.ports.Ports;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshServerFixture;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code tether forward} and {@code tether ports} end to end: the real CLI and daemon, a real SSH
 * server on 127.0.0.1 (each subclass brings one), the real agent bootstrapped onto it, real HTTP
 * servers (the JDK's, and Python's http.server as a process of its own) and the JDK's real HTTP
 * client. The "host" is this machine, so a server started here is on the host, and a port the host
 * listens on is reachable here: each test says which side plays which part.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PortForwardingSuite {
  static final String HOST_ALIAS = "tether-ports-host";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Duration SERVER_EXIT_WAIT = Duration.ofSeconds(15);

  Path base;
  Path sshConfig;
  SshServerFixture server;
  TetherCli tether;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final List<AutoCloseable> cleanups = new ArrayList<>();

  /** Starts this suite's SSH server on 127.0.0.1; it must accept {@link SshServerFixture#clientKey()}. */
  abstract SshServerFixture startServer();

  /** The process the server runs commands under: the agents it starts are its descendants. */
  abstract ProcessHandle serverProcess();

  @BeforeAll
  void startServerAndWriteConfig() throws IOException {
    base = Files.createTempDirectory("tether-ports-");
    server = startServer();
    sshConfig = writeSshConfig(base.resolve("ssh_config"), List.of());
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  Path writeSshConfig(Path file, List<String> extraLines) throws IOException {
    return Files.writeString(file, String.join("\n",
        server.hostConfig(HOST_ALIAS, base.resolve("known_hosts"), extraLines.toArray(String[]::new))));
  }

  @AfterEach
  void endEverythingStarted() throws Exception {
    for (AutoCloseable c : cleanups) {
      c.close();
    }
    cleanups.clear();
    tether.endCommands();
  }

  @AfterAll
  void stopEverything() {
    try {
      if (tether != null) {
        List<ProcessHandle> agents = Processes.agentsUnder(serverProcess());
        tether.close();
        assertEquals(List.of(), Processes.survivors(agents, SERVER_EXIT_WAIT),
            "agents still running after 'tether daemon stop'");
      }
    } finally {
      if (server != null) {
        server.close();
      }
      HostServers.deleteTree(base);
    }
  }

  /** {@code tether forward ALIAS -F CONFIG ARGS...}, its stderr followed line by line. */
  ForwardProcess forward(Path config, String... args) {
    List<String> command = new ArrayList<>(List.of("forward", HOST_ALIAS, "-F", config.toString()));
    command.addAll(List.of(args));
    ForwardProcess process = new ForwardProcess(tether.startPiped(base, command.toArray(String[]::new)));
    cleanups.add(process);
    return process;
  }

  Process python(Path directory, int port) throws IOException {
    Process process = HostServers.python(directory, port);
    cleanups.add(() -> Processes.endTree(process.toHandle()));
    return process;
  }

  HostServers.Http httpServer(byte[] big) throws IOException {
    HostServers.Http server = HostServers.http(big);
    cleanups.add(server);
    return server;
  }

  byte[] get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode(), "GET " + path + " through port " + port);
    return response.body();
  }

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void aForwardCarriesLargeBodiesBothWaysIntact() throws Exception {
    byte[] big = random(8 * 1024 * 1024 + 17, 1);
    HostServers.Http host = httpServer(big);
    // The host is this machine, so the host's port is busy here: the forward must say which one it took.
    ForwardProcess forward = forward(sshConfig, Integer.toString(host.port()));
    Matcher mapping = forward.await(Pattern.compile("^forwarding 127\\.0\\.0\\.1:(\\d+) -> " + HOST_ALIAS + ":"
        + host.port() + " \\(port " + host.port() + " is busy here\\)$"), WAIT);
    int local = Integer.parseInt(mapping.group(1));
    forward.await(Pattern.compile("^tether forward: ready"), WAIT);

    assertArrayEquals(big, get(local, "/big"), "GET /big through the forward");
    byte[] upload = random(5 * 1024 * 1024 + 3, 2);
    HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/sha256"))
        .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(HostServers.sha256(upload), posted.body(), "SHA-256 of the upload, as the host's server got it");
    // Several connections at once: each is its own channel.
    List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> parallel = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      parallel.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/big")).timeout(WAIT)
          .build(), HttpResponse.BodyHandlers.ofByteArray()));
    }
    for (var response : parallel) {
      assertArrayEquals(big, response.get().body(), "one of 4 parallel GETs");
    }
    assertTrue(forward.process().isAlive(), "tether forward still running; stderr: " + forward.lines());
  }

  @Test
  void aReverseForwardReachesAServerOnThisMachine() throws Exception {
    byte[] big = random(3 * 1024 * 1024, 3);
    HostServers.Http local = httpServer(big);
    ForwardProcess forward = forward(sshConfig, "-R", "0:" + local.port());
    Matcher mapping = forward.await(Pattern.compile("^forwarding " + HOST_ALIAS + " 127\\.0\\.0\\.1:(\\d+) -> 127\\.0\\.0\\.1:"
        + local.port() + " \\(reverse\\)$"), WAIT);
    int onHost = Integer.parseInt(mapping.group(1));
    // A client on the host connects to the port the agent listens on.
    assertArrayEquals(big, get(onHost, "/big"), "GET /big through the host's port " + onHost);
    assertArrayEquals(big, get(onHost, "/big"), "a second connection through the same listener");

    List<ListeningSocket> listed = listPorts().sockets;
    assertTrue(listed.stream().anyMatch(s -> s.port == onHost), "the reverse listener in ports/list: " + listed);
    forward.close();
    // The command gone, its listener on the host goes too.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (listPorts().sockets.stream().anyMatch(s -> s.port == onHost)) {
      assertTrue(System.nanoTime() < deadline, "the host still listens on " + onHost + " after tether forward ended");
      Thread.sleep(200);
    }
  }

  @Test
  void portsListsTheServerWithItsPidAndCommand() throws Exception {
    int port = HostServers.freePort();
    Process python = python(base, port);
    TetherCli.Result result = tether.run("ports", HOST_ALIAS, "-F", sshConfig.toString());
    assertEquals(0, result.exit(), result.toString());
    String line = result.stdout().lines().filter(l -> l.matches("^tcp\\s+127\\.0\\.0\\.1\\s+" + port + "\\s.*"))
        .findFirst().orElseThrow(() -> new AssertionError("no line for 127.0.0.1:" + port + " in: " + result.stdout()));
    assertTrue(line.matches(".*\\s" + python.pid() + "\\s+/usr/bin/python3 -m http\\.server --bind 127\\.0\\.0\\.1 "
        + port + "$"), "the line shows python's pid " + python.pid() + " and its command: " + line);
    assertTrue(result.stdout().startsWith("PROTO"), "a header first: " + result.stdout());
  }

  @Test
  void aForwardToAPortNobodyListensOnGetsTheTypedError() throws Exception {
    int closed = HostServers.freePort();
    int here = HostServers.freePort();
    while (here == closed) {
      here = HostServers.freePort();
    }
    ForwardProcess forward = forward(sshConfig, closed + ":" + here);
    Matcher mapping = forward.await(Pattern.compile("^forwarding 127\\.0\\.0\\.1:(\\d+) -> " + HOST_ALIAS + ":" + closed + "$"), WAIT);
    forward.await(Pattern.compile("^tether: note: nothing listens on port " + closed + " on " + HOST_ALIAS + " yet"), WAIT);
    int local = Integer.parseInt(mapping.group(1));
    assertThrows(IOException.class, () -> get(local, "/"), "a request through a forward to a closed port fails");
    forward.await(Pattern.compile("^tether: 127\\.0\\.0\\.1:" + local + " -> " + HOST_ALIAS + ":" + closed
        + ": nothing listens on 127\\.0\\.0\\.1:" + closed + " \\(nor \\[::1\\]:" + closed + "\\) on the host"), WAIT);
    assertTrue(forward.process().isAlive(), "one refused connection does not end the forward");

    // The same through the Java client API: the refusal is typed (SERVICE_ERROR) and names the address.
    try (DaemonClient daemon = DaemonClient.connect(new DaemonPaths(tether.runtimeDir()), false, line -> { },
        Prompter.unavailable())) {
      Ports ports = new Ports(daemon.opener(new RemoteSpec(HOST_ALIAS, List.of("-F", sshConfig.toString()), null)));
      ChannelOpenException refused = assertThrows(ChannelOpenException.class, () -> ports.connect(null, closed));
      assertEquals(ErrorCode.SERVICE_ERROR, refused.code(), refused.toString());
      assertTrue(refused.getMessage().contains("nothing listens on 127.0.0.1:" + closed), refused.getMessage());
    }
  }

  @Test
  void localForwardLinesOfSshConfigAreHonoured() throws Exception {
    byte[] big = random(1024 * 1024, 4);
    HostServers.Http host = httpServer(big);
    int first = HostServers.freePort();
    int second = HostServers.freePort();
    while (second == first) {
      second = HostServers.freePort();
    }
    Path config = writeSshConfig(base.resolve("ssh_config_forwards"), List.of(
        "  LocalForward " + first + " localhost:" + host.port(),
        "Host tether-*",
        "  LocalForward 127.0.0.1:" + second + " 127.0.0.1:" + host.port(),
        "Host someone-else",
        "  LocalForward " + HostServers.freePort() + " localhost:1"));
    ForwardProcess forward = forward(config);
    forward.await(Pattern.compile("^forwarding 127\\.0\\.0\\.1:" + first + " -> localhost:" + host.port() + " via "
        + HOST_ALIAS + " \\(LocalForward " + first + " localhost:" + host.port() + "\\)$"), WAIT);
    forward.await(Pattern.compile("^forwarding 127\\.0\\.0\\.1:" + second + " -> 127\\.0\\.0\\.1:" + host.port()), WAIT);
    forward.await(Pattern.compile("^tether forward: ready"), WAIT);
    assertEquals(2, forward.lines().stream().filter(l -> l.startsWith("forwarding ")).count(),
        "only the two lines for " + HOST_ALIAS + ": " + forward.lines());
    assertArrayEquals(big, get(first, "/big"), "through the first LocalForward");
    assertArrayEquals(big, get(second, "/big"), "through the second LocalForward");
  }

  @Test
  void autoForwardPicksUpANewListenerAndDropsItWhenItCloses() throws Exception {
    ForwardProcess forward = forward(sshConfig, "--auto");
    forward.await(Pattern.compile("^tether forward: ready"), WAIT);
    Path served = Files.createDirectories(base.resolve("served"));
    Files.writeString(served.resolve("marker-for-auto-forward.txt"), "hello through auto-forward\n");
    int port = HostServers.freePort();
    Process python = python(served, port);
    Matcher mapping = forward.await(Pattern.compile("^forwarding 127\\.0\\.0\\.1:(\\d+) -> " + HOST_ALIAS + ":" + port
        + " \\(auto: /usr/bin/python3 -m http\\.server --bind 127\\.0\\.0\\.1 " + port + ", pid " + python.pid() + "\\)$"), WAIT);
    int local = Integer.parseInt(mapping.group(1));
    assertEquals("hello through auto-forward\n", new String(get(local, "/marker-for-auto-forward.txt")),
        "the file, fetched through the auto-forward");
    Processes.endTree(python.toHandle());
    forward.await(Pattern.compile("^stopped forwarding 127\\.0\\.0\\.1:" + local + " \\(nothing listens on port " + port
        + " on " + HOST_ALIAS + " any more\\)$"), WAIT);
  }

  @Test
  void halfCloseCrossesTheForwardBothWaysAndAResetArrivesAsAReset() throws Exception {
    // The host's service reads to end of stream, answers with the byte count, then ends its side.
    // A second connection is reset by the service (SO_LINGER 0) after reading one byte.
    try (java.net.ServerSocket service = new java.net.ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress())) {
      Thread serviceThread = new Thread(() -> {
        try (java.net.Socket first = service.accept()) {
          long count = first.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
          first.getOutputStream().write(("got " + count + " bytes\n").getBytes());
          first.shutdownOutput();
          first.getInputStream().read(); // wait for the client's close
          java.net.Socket second = service.accept();
          second.getInputStream().read();
          second.setSoLinger(true, 0);
          second.close();
        } catch (IOException e) {
          // the test fails on its side
        }
      }, "half-close service");
      serviceThread.setDaemon(true);
      serviceThread.start();
      ForwardProcess forward = forward(sshConfig, Integer.toString(service.getLocalPort()));
      int local = Integer.parseInt(forward.await(Pattern.compile("^forwarding 127\\.0\\.0\\.1:(\\d+) -> "), WAIT).group(1));
      forward.await(Pattern.compile("^tether forward: ready"), WAIT);

      byte[] payload = random(2 * 1024 * 1024 + 5, 5);
      try (java.net.Socket client = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), local)) {
        client.setSoTimeout((int) WAIT.toMillis());
        client.getOutputStream().write(payload);
        client.shutdownOutput(); // the service sees end of stream only if the half-close crossed
        String answer = new String(client.getInputStream().readAllBytes()); // ends only if the service's crossed back
        assertEquals("got " + payload.length + " bytes\n", answer);
      }
      try (java.net.Socket client = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), local)) {
        client.setSoTimeout((int) WAIT.toMillis());
        client.getOutputStream().write('x');
        assertThrows(java.net.SocketException.class, () -> client.getInputStream().read(),
            "the service's reset reaches the client as a reset, not as a clean end of stream");
      }
    }
  }

  @Test
  void badArgumentsAreUsageErrorsThatSayWhatToGive() {
    TetherCli.Result nothing = tether.run("forward", HOST_ALIAS, "-F", sshConfig.toString());
    assertEquals(2, nothing.exit(), nothing.toString());
    assertTrue(nothing.stderr().contains("nothing to forward: give REMOTE_PORT[:LOCAL_PORT], -R REMOTE_PORT[:LOCAL_PORT] "
        + "or --auto, or add LocalForward lines for " + HOST_ALIAS + " to " + sshConfig), nothing.stderr());
    TetherCli.Result badReverse = tether.run("forward", HOST_ALIAS, "-F", sshConfig.toString(), "-R", "0");
    assertEquals(2, badReverse.exit(), badReverse.toString());
    assertTrue(badReverse.stderr().contains("bad -R '0'"), badReverse.stderr());
    TetherCli.Result badPort = tether.run("forward", HOST_ALIAS, "-F", sshConfig.toString(), "70000");
    assertEquals(2, badPort.exit(), badPort.toString());
    assertTrue(badPort.stderr().contains("bad forward '70000'"), badPort.stderr());
  }

  private PortList listPorts() throws IOException {
    try (DaemonClient daemon = DaemonClient.connect(new DaemonPaths(tether.runtimeDir()), false, line -> { },
        Prompter.unavailable())) {
      return new Ports(daemon.opener(new RemoteSpec(HOST_ALIAS, List.of("-F", sshConfig.toString()), null))).list();
    }
  }
}
