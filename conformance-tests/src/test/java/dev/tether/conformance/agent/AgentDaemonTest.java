package dev.tether.conformance.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.Version;
import dev.tether.conformance.lsp.Processes;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.transport.StreamTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent daemon, as the SSH bootstrap uses it: {@code tether-remote stdio --daemon} relays to a
 * per-user daemon it starts, a session outlives its relay (a dropped connection) and is resumed
 * through a new one with its channels intact, and the daemon leaves once it has no session.
 * Real processes of the real agent jar; the "host" is a private HOME.
 */
class AgentDaemonTest {
  static final Path AGENT_JAR = AgentLauncherTest.AGENT_JAR;

  @TempDir
  Path home;

  private final List<Process> relays = new ArrayList<>();

  @BeforeEach
  void requireAgent() {
    if (!Files.isRegularFile(AGENT_JAR)) {
      throw new AssertionError(AGENT_JAR + " is missing: build with 'mvn package' (the agent jar is made by bridge-remote)");
    }
  }

  @AfterEach
  void endEverything() {
    relays.forEach(p -> Processes.endTree(p.toHandle()));
    daemon().ifPresent(Processes::endTree);
  }

  @Test
  void aSessionOutlivesItsRelayAndResumesWithItsChannels() throws Exception {
    CountDownLatch detached = new CountDownLatch(1);
    Process first = relay();
    Session session = Session.connect(transport(first), SessionConfig.defaults().withName("test")
        .withListener(new SessionListener() {
          @Override
          public void onDetached(Session s, String reason) {
            detached.countDown();
          }
        }));
    Channel sys = session.open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
    JsonObject info = call(sys, 1);
    long daemonPid = info.get("pid").getAsLong();
    assertNotEquals(first.pid(), daemonPid, "the session must be served by the daemon, not by the relay");
    assertEquals(Optional.of(daemonPid), daemon().map(ProcessHandle::pid), "the daemon's pid file");
    assertEquals(Version.current(), info.get("agentVersion").getAsString());

    first.destroyForcibly(); // the connection drops
    assertTrue(detached.await(30, TimeUnit.SECONDS), "the session should notice the lost relay");
    assertTrue(ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false), "the daemon must outlive the relay");

    Process second = relay();
    session.resume(transport(second));
    assertEquals(daemonPid, call(sys, 2).get("pid").getAsLong(), "the same channel, answered by the same daemon");

    session.close();
    assertTrue(Processes.awaitExit(ProcessHandle.of(daemonPid).orElseThrow(), Duration.ofSeconds(20)),
        "the daemon should leave once it has no session (idle 1 s)");
    assertFalse(Files.exists(socket()), "the daemon removes its socket when it leaves");
  }

  /**
   * The connection drops again and again while messages flow both ways through a process on the
   * host ({@code cat} as an echoing "server"): every message arrives once, in order.
   */
  @Test
  void repeatedDropsDuringTrafficLoseDuplicateAndReorderNothing() throws Exception {
    int messages = 4000;
    int drops = 20;
    Semaphore detaches = new Semaphore(0);
    Process relay = relay();
    Session session = Session.connect(transport(relay), SessionConfig.defaults().withName("test")
        .withListener(new SessionListener() {
          @Override
          public void onDetached(Session s, String reason) {
            detaches.release();
          }
        }));
    Channel echo = session.open(ChannelKinds.LSP, ChannelFlavour.MESSAGES, "{\"command\":[\"cat\"]}");
    List<Integer> received = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try {
        byte[] message;
        while (received.size() < messages && (message = echo.readMessage()) != null) {
          received.add(JsonParser.parseString(new String(message, StandardCharsets.UTF_8)).getAsJsonObject()
              .get("params").getAsInt());
        }
      } catch (IOException e) {
        received.add(-1); // shows up in the assertion below
      }
    }, "echo-reader");
    reader.start();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < messages; i++) {
          echo.writeMessage(("{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, "echo-writer");
    writer.start();
    for (int drop = 1; drop <= drops; drop++) {
      int mark = drop * messages / (drops + 1);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (received.size() < mark && System.nanoTime() < deadline) {
        Thread.sleep(5); // traffic is flowing; drop the connection once this share of it has come back
      }
      relay.destroyForcibly();
      assertTrue(detaches.tryAcquire(30, TimeUnit.SECONDS), "drop " + drop + " should detach the session");
      relay = relay();
      session.resume(transport(relay));
    }
    writer.join(60_000);
    reader.join(60_000);
    List<Integer> expected = java.util.stream.IntStream.range(0, messages).boxed().toList();
    assertEquals(expected, List.copyOf(received), "echoed messages after " + drops + " drops");
    session.close();
  }

  @Test
  void concurrentRelaysShareOneDaemon() throws Exception {
    List<Session> sessions = new ArrayList<>();
    List<Process> starting = List.of(relay(), relay(), relay());
    for (Process relay : starting) {
      sessions.add(Session.connect(transport(relay), SessionConfig.defaults().withName("test")));
    }
    List<Long> pids = new ArrayList<>();
    for (Session session : sessions) {
      pids.add(call(session.open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, ""), 1).get("pid").getAsLong());
    }
    assertEquals(1, pids.stream().distinct().count(), "three relays started at once must reach one daemon: " + pids);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent())),
        "the socket's directory must be private");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())), "the socket's mode");
    sessions.forEach(Session::close);
  }

  /**
   * The socket made reachable by mistake (modes loosened): another user is still refused by uid, before
   * a byte is read, while the owner's connection is kept waiting for its handshake.
   */
  @Test
  void anotherUserIsRefusedByUidEvenWhereTheModesLetItIn() throws Exception {
    assertEquals("0", new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip(),
        "this test runs a client as 'nobody' with setpriv: run it as root");
    Session session = Session.connect(transport(relay()), SessionConfig.defaults().withName("test"));
    Path socket = socket();
    assertNotEquals("closed", probe(List.of(), socket), "the owner is served");
    for (Path dir = socket.getParent(); dir.startsWith(home); dir = dir.getParent()) { // the test's own dirs only
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertEquals("closed", probe(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"), socket));
    session.close();
  }

  /** Connects to {@code socket} (as {@code prefix} makes us) and says whether the daemon closes it within 2 s. */
  private static String probe(List<String> prefix, Path socket) throws IOException, InterruptedException {
    String script = String.join("\n",
        "import socket, sys",
        "s = socket.socket(socket.AF_UNIX)",
        "s.connect(sys.argv[1])",
        "s.settimeout(2)",
        "try:",
        "    b = s.recv(1)",
        "    print('closed' if not b else 'spoke')",
        "except socket.timeout:",
        "    print('open')",
        "except ConnectionResetError:",
        "    print('closed')");
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("/usr/bin/python3", "-c", script, socket.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "probe finished");
    return out;
  }

  private Process relay() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(Processes.java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", AGENT_JAR.toString(), "stdio", "--daemon", "--idle", "1")
        .redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("relay.stderr").toFile()));
    builder.environment().put("HOME", home.toString());
    Process process = builder.start();
    relays.add(process);
    return process;
  }

  private static StreamTransport transport(Process relay) {
    return new StreamTransport(relay.getInputStream(), relay.getOutputStream(), relay::destroy, "relay " + relay.pid());
  }

  private Path socket() {
    return home.resolve(".tether/run/tether-remote-" + agentJarHash() + ".sock");
  }

  private Optional<ProcessHandle> daemon() {
    try {
      Path pid = socket().resolveSibling(socket().getFileName() + ".pid");
      return Files.exists(pid) ? ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** One raw JSON-RPC {@code sys/info} on the message channel; returns its result. */
  private static JsonObject call(Channel sys, int id) throws IOException {
    sys.writeMessage(("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"sys/info\"}").getBytes(StandardCharsets.UTF_8));
    byte[] answer = sys.readMessage();
    assertTrue(answer != null, "sys channel ended without an answer");
    JsonObject message = JsonParser.parseString(new String(answer, StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(id, message.get("id").getAsInt(), "answer id: " + message);
    return message.getAsJsonObject("result");
  }

  /** The first 12 hex digits of the agent jar's SHA-256: the daemon's socket is keyed by its build. */
  private static String agentJarHash() {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(AGENT_JAR));
      return java.util.HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new AssertionError("cannot hash " + AGENT_JAR, e);
    }
  }

}
