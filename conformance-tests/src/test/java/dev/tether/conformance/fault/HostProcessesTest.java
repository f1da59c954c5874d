package dev.tether.conformance.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.Version;
import dev.tether.adapters.exec.ExecClient;
import dev.tether.adapters.exec.ExecService.StartParams;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent daemon leaves on a host: every process it starts (exec'd commands, language
 * servers) runs in a process group and session of its own and is ended with everything it started,
 * double-forked children included; a daemon killed with SIGKILL leaves records from which the next
 * one ends its orphans; the agent's log and directories are private and hold no argv. Real
 * processes of the real agent jar; the "host" is a private HOME.
 */
@Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostProcessesTest {
  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

  @TempDir
  Path home;

  private final List<Process> relays = new ArrayList<>();
  private final List<Long> sessionsToEnd = new ArrayList<>();

  @BeforeEach
  void requireAgent() {
    if (!Files.isRegularFile(TetherCli.AGENT_JAR)) {
      throw new AssertionError(TetherCli.AGENT_JAR + " is missing: build with 'mvn package' (bridge-remote makes it)");
    }
  }

  @AfterEach
  void endEverything() {
    relays.forEach(p -> Processes.endTree(p.toHandle()));
    daemon().ifPresent(Processes::endTree);
    for (long sid : sessionsToEnd) {
      sessionMembers(sid).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void aDoubleForkedChildOfAnExecEndsWhenItsChannelCloses() throws Exception {
    Session session = connect();
    ExecClient exec = ExecClient.open(session::open);
    ExecClient.ExecProcess process = exec.shell("(sleep 1000 &) ; echo started; exec sleep 1000");
    sessionsToEnd.add(process.pid());
    process.closeStdin();
    process.discardStderr();
    assertEquals("started", readLine(process.stdout()));
    assertTrue(sessionMembers(process.pid()).size() >= 2, "the command and its escaped sleep: " + sessionMembers(process.pid()));
    exec.close();
    assertGone(process.pid(), "the exec'd command's group after its channel closed");
    session.close();
  }

  @Test
  void aDoubleForkingLanguageServerLeavesNothingWhenItsChannelCloses() throws Exception {
    Session session = connect();
    Channel lsp = session.open(ChannelKinds.LSP, ChannelFlavour.MESSAGES,
        "{\"command\":[\"sh\",\"-c\",\"(sleep 1000 &) ; exec cat\"]}");
    long pid = JsonParser.parseString(lsp.acceptMetadata()).getAsJsonObject().get("pid").getAsLong();
    sessionsToEnd.add(pid);
    lsp.writeMessage("{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
    lsp.readMessage(); // cat echoes it: the server is up, and so is its escaped sleep
    awaitTrue(() -> sessionMembers(pid).size() >= 2, "the server and its escaped sleep");
    lsp.close();
    assertGone(pid, "the language server's group after its channel closed");
    session.close();
  }

  @Test
  void aLanguageServerKilledWithSigkillResetsItsChannelWithTheReasonAndTheNextOneWorks() throws Exception {
    Session session = connect();
    Channel lsp = session.open(ChannelKinds.LSP, ChannelFlavour.MESSAGES,
        "{\"command\":[\"sh\",\"-c\",\"(sleep 1000 &) ; exec cat\"]}");
    long pid = JsonParser.parseString(lsp.acceptMetadata()).getAsJsonObject().get("pid").getAsLong();
    sessionsToEnd.add(pid);
    lsp.writeMessage("{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
    lsp.readMessage();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9 of the server, its escaped child alive
    IOException reset = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> {
      while (lsp.readMessage() != null) {
        // drain until the reset arrives
      }
      throw new AssertionError("the channel ended without a reset");
    });
    assertTrue(reset.getMessage().contains("exited with status 137"), reset.getMessage());
    assertGone(pid, "the killed server's group (its escaped sleep) once its channel ended");
    Channel next = session.open(ChannelKinds.LSP, ChannelFlavour.MESSAGES, "{\"command\":[\"cat\"]}");
    next.writeMessage("{\"jsonrpc\":\"2.0\",\"method\":\"again\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"again\"}", new String(next.readMessage(), StandardCharsets.UTF_8));
    next.close();
    session.close();
  }

  @Test
  void aRestartedDaemonEndsTheGroupsAKilledOneLeft() throws Exception {
    Session session = connect();
    long firstDaemon = daemon().orElseThrow().pid();
    ExecClient exec = ExecClient.open(session::open);
    ExecClient.ExecProcess process = exec.shell("(sleep 1000 &) ; echo started; exec sleep 1000");
    sessionsToEnd.add(process.pid());
    process.closeStdin();
    process.discardStderr();
    assertEquals("started", readLine(process.stdout()));

    ProcessHandle.of(firstDaemon).orElseThrow().destroyForcibly(); // kill -9
    assertTrue(Processes.awaitExit(ProcessHandle.of(firstDaemon).orElseThrow(), GONE_WITHIN), "the daemon should die");
    assertFalse(sessionMembers(process.pid()).isEmpty(), "SIGKILL gives the daemon no chance: its processes stay");

    Session next = connect(); // starts a new daemon on the same socket
    assertNotEquals(firstDaemon, daemon().orElseThrow().pid());
    assertGone(process.pid(), "the orphaned group, once a new daemon started");
    next.close();
  }

  @Test
  void theAgentLogIsPrivateAndHoldsNoArgv() throws Exception {
    Session session = connect();
    ExecClient exec = ExecClient.open(session::open);
    StartParams params = new StartParams();
    params.argv = List.of("echo", "-pSECRET-ARGV");
    params.env = java.util.Map.of("TETHER_TEST_TOKEN", "SECRET-ENV");
    ExecClient.ExecProcess process = exec.start(params);
    process.closeStdin();
    process.discardStderr();
    assertEquals("-pSECRET-ARGV", readLine(process.stdout()));
    assertEquals(0, process.waitFor());
    exec.close();
    session.close();
    Path log = home.resolve(".tether/logs/tether-remote.log");
    awaitTrue(() -> contains(log, "exec p1: pid"), "the exec start is logged (without its argv) in " + log + ":\n"
        + (Files.exists(log) ? Files.readString(log) : "(missing)"));
    String text = Files.readString(log);
    assertFalse(text.contains("SECRET"), "the agent log must not hold argv or environment:\n" + text);
    assertEquals("rw-------", mode(log), "the agent log");
    assertEquals("rw-------", mode(home.resolve(".tether/logs/tether-remote-daemon.out")), "the daemon's console file");
    assertEquals("rwx------", mode(home.resolve(".tether")), "~/.tether");
    assertEquals("rwx------", mode(home.resolve(".tether/logs")), "~/.tether/logs");
  }

  @Test
  void aTetherDirectoryOfAnotherUserIsRefused() throws Exception {
    Path tether = Files.createDirectories(home.resolve(".tether"));
    Files.setPosixFilePermissions(tether, PosixFilePermissions.fromString("rwxr-xr-x"));
    int nobody = 65534;
    Files.setAttribute(tether, "unix:uid", nobody); // the tests run as root, like the CI's container
    Process relay = relay();
    String stderr = new String(relay.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(relay.waitFor() != 0, "the agent must refuse to start");
    assertTrue(stderr.contains(tether + " belongs to another user"), stderr);
    assertEquals("rwxr-xr-x", mode(tether), "someone else's directory is left alone");
  }

  private Session connect() throws IOException {
    Process relay = relay();
    return Session.connect(new StreamTransport(relay.getInputStream(), relay.getOutputStream(), relay::destroy,
        "relay " + relay.pid()), SessionConfig.defaults().withName("test"));
  }

  private Process relay() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(Processes.java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", TetherCli.AGENT_JAR.toString(), "stdio", "--daemon", "--idle", "60"); // ended by the test, not by idleness
    builder.environment().put("HOME", home.toString());
    Process process = builder.start();
    relays.add(process);
    return process;
  }

  private Optional<ProcessHandle> daemon() {
    Path run = home.resolve(".tether/run");
    try (Stream<Path> files = Files.exists(run) ? Files.list(run) : Stream.empty()) {
      for (Path pid : files.filter(p -> p.toString().endsWith(".sock.pid")).toList()) {
        Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()));
        if (handle.isPresent()) {
          return handle;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Live processes whose session id is {@code sid}, from {@code /proc/PID/stat}. */
  static List<Long> sessionMembers(long sid) {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
      for (Path dir : proc.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String stat = Files.readString(dir.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(fields[3]) == sid && !fields[0].equals("Z")) {
            found.add(Long.parseLong(dir.getFileName().toString()));
          }
        } catch (IOException | RuntimeException gone) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot list /proc", e);
    }
    return found;
  }

  private static void assertGone(long sid, String what) throws InterruptedException {
    awaitTrue(() -> sessionMembers(sid).isEmpty(), what + " should be gone within " + GONE_WITHIN.toSeconds()
        + " s; left: " + sessionMembers(sid));
  }

  /** A deadline-bounded poll of state in /proc or a file: no event says "a process group emptied". */
  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + GONE_WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what);
      }
      Thread.sleep(50);
    }
  }

  private static String readLine(java.io.InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      line.append((char) c);
    }
    return line.toString();
  }

  private static boolean contains(Path file, String text) {
    try {
      return Files.exists(file) && Files.readString(file).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  static {
    // The agent under test must be this build: the daemon's socket is keyed by the jar's hash.
    assertTrue(Version.current() != null);
  }
}
