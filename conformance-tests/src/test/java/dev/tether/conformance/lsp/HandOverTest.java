package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Commands that hand their stdio to the daemon ({@code dev.tether.local.front.HandOver}, which
 * {@code ./tether} and {@link TetherCli} start for lsp, dap, exec and fs; dap has its own test,
 * {@code DapHandOverTest}), against a real daemon with the
 * agent as its child ({@code local}): what the command prints and returns is what the full CLI gives,
 * the daemon keeps no descriptor of a finished command, strangers are refused, and a daemon that dies
 * mid-command or comes from another build is reported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HandOverTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private Path base;
  private TetherCli tether;

  @BeforeAll
  void setUp() throws IOException {
    base = Files.createTempDirectory("tether-handover-");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
    // The first command finds no session with the host: it runs the full CLI, which starts the daemon.
    TetherCli.Result first = tether.run("exec", "local", "--", "true");
    assertEquals(0, first.exit(), first.toString());
    assertEquals(0, handedOver(), "the first command (no daemon yet) ran the full CLI");
  }

  @AfterAll
  void tearDown() {
    try {
      tether.close();
    } finally {
      Projects.deleteTree(base);
    }
  }

  @Test
  @Order(1)
  void execIsHandedOverWithItsStreamsAndExitStatusAndLeavesNoDescriptor() {
    long before = handedOver();
    int fdsBefore = daemonDescriptors();
    TetherCli.Result result = tether.run("exec", "local", "--", "echo to-out; echo to-err >&2; exit 3");
    assertEquals(3, result.exit(), result.toString());
    assertEquals("to-out\n", result.stdout());
    assertEquals("to-err\n", result.stderr());
    assertEquals(before + 1, handedOver(), "served by the daemon on the command's descriptors");
    assertEquals(fdsBefore, daemonDescriptors(), "the daemon closed the three descriptors it was given");
  }

  @Test
  @Order(2)
  void stdinMayBeARegularFileOrDevNull() throws IOException {
    Path input = base.resolve("input.txt");
    Files.writeString(input, "line one\nline two\n");
    long before = handedOver();
    int fdsBefore = daemonDescriptors();
    assertEquals("line one\nline two\n", runWithStdin(input.toFile(), "exec", "local", "--", "cat"));
    assertEquals("", runWithStdin(new File("/dev/null"), "exec", "local", "--", "cat"));
    assertEquals(before + 2, handedOver());
    assertEquals(fdsBefore, daemonDescriptors());
  }

  @Test
  @Order(3)
  void fsPutFromStdinAndCatToStdoutAreHandedOver() throws IOException {
    Path source = base.resolve("source.bin");
    byte[] bytes = new byte[3 * 1024 * 1024 + 7];
    new java.util.Random(7).nextBytes(bytes);
    Files.write(source, bytes);
    Path target = base.resolve("target.bin");
    long before = handedOver();
    int fdsBefore = daemonDescriptors();
    runWithStdin(source.toFile(), "fs", "local", "put", target.toString());
    assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(target)), "put wrote the same bytes");
    Path copy = base.resolve("copy.bin");
    Process cat = start(new File("/dev/null"), copy.toFile(), "fs", "local", "cat", target.toString());
    assertEquals(0, await(cat));
    assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(copy)), "cat gave the same bytes");
    assertEquals(before + 2, handedOver());
    assertEquals(fdsBefore, daemonDescriptors());
  }

  @Test
  @Order(4)
  void usageErrorsAndOtherCommandsRunTheFullCli() {
    long before = handedOver();
    TetherCli.Result usage = tether.run("exec", "local");
    assertEquals(2, usage.exit(), usage.toString());
    assertTrue(usage.stderr().contains("Missing required parameter"), usage.stderr());
    TetherCli.Result ls = tether.run("fs", "local", "ls", base.toString());
    assertEquals(0, ls.exit(), ls.toString());
    assertEquals(before, handedOver(), "neither was handed over");
  }

  @Test
  @Order(5)
  void anotherBuildsFrontEndIsToldAndRunsOnItsOwn() throws IOException {
    // Another build of tether.jar: the same classes, another file (so another size/time stamp pair).
    Path otherJar = base.resolve("other/tether.jar");
    Files.createDirectories(otherJar.getParent());
    Files.copy(TetherCli.CLI_JAR, otherJar);
    long before = handedOver();
    ProcessBuilder builder = tether.processBuilder(List.of("exec", "local", "--", "echo fine"), base);
    List<String> command = new ArrayList<>(builder.command());
    command.set(command.indexOf(TetherCli.CLI_JAR.toString()), otherJar.toString());
    builder.command(command).redirectInput(new File("/dev/null"));
    Process process = startTracked(builder);
    String out = read(process.getInputStream());
    String err = read(process.getErrorStream());
    assertEquals(0, await(process), err);
    assertEquals("fine\n", out);
    assertTrue(err.contains("the running tether daemon is from another build"), err);
    assertEquals(before, handedOver());
  }

  @Test
  @Order(6)
  void strangersAreRefusedOnBothSockets() throws Exception {
    assertEquals("0", run("id", "-u").strip(), "this test runs a client as 'nobody' with setpriv: run it as root");
    Path runtime = tether.runtimeDir();
    Path handOver = runtime.resolve("handover.sock");
    Path command = runtime.resolve("daemon.sock");
    String ownAnswer = probe(List.of(), handOver, command);
    // The owner is answered (this probe is no build of ours: V) and the command socket waits for its hello.
    assertEquals("handover=V daemon=open", ownAnswer);
    long before = handedOver();
    var dirMode = Files.getPosixFilePermissions(runtime);
    var baseMode = Files.getPosixFilePermissions(base);
    try {
      Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
      // Made reachable by mistake: the sockets' modes no longer keep anyone out.
      Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(handOver, PosixFilePermissions.fromString("rw-rw-rw-"));
      Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rw-rw-rw-"));
      String strangerAnswer = probe(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"),
          handOver, command);
      assertEquals("handover=closed daemon=closed", strangerAnswer, "another user is refused by uid");
    } finally {
      Files.setPosixFilePermissions(base, baseMode);
      Files.setPosixFilePermissions(runtime, dirMode);
      Files.setPosixFilePermissions(handOver, PosixFilePermissions.fromString("rw-------"));
      Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rw-------"));
    }
    assertEquals(before, handedOver());
  }

  @Test
  @Order(7)
  void aDaemonThatDiesMidCommandIsReportedInOneLine() throws IOException {
    ProcessHandle daemon = tether.daemon().orElseThrow();
    List<ProcessHandle> agents = Processes.agentsUnder(daemon);
    ProcessBuilder builder = tether.processBuilder(List.of("exec", "local", "--", "echo $$; exec sleep 100"), base);
    Process process = startTracked(builder);
    java.io.BufferedReader out = new java.io.BufferedReader(
        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long remotePid = Long.parseLong(out.readLine().strip());
    daemon.destroyForcibly();
    String err = read(process.getErrorStream());
    assertEquals(255, await(process), err);
    assertEquals(List.of("tether: the tether daemon stopped during the command"), err.lines().toList());
    // What the daemon left: its agent and the remote sleep end with their pipes; make sure of it.
    agents.forEach(Processes::endTree);
    ProcessHandle.of(remotePid).ifPresent(Processes::endTree);
    assertFalse(daemon.isAlive());
  }

  @Test
  @Order(8)
  void anEditorIsToldWhenTheDaemonDiesUnderItsServer() {
    assertEquals(0, tether.run("exec", "local", "--", "true").exit(), "a new daemon and session (the full CLI)");
    ProcessHandle daemon = tether.daemon().orElseThrow();
    try (TetherCli.LspProcess lsp = tether.lsp(base, List.of("local", "--", "sleep", "100"))) {
      awaitRunningHandOvers(1);
      List<ProcessHandle> left = new ArrayList<>(daemon.descendants().toList()); // the agent and the sleep
      daemon.destroyForcibly();
      JsonObject shown = lsp.editor().awaitNotification("window/showMessage", m -> true, DEADLINE);
      assertEquals("tether: the tether daemon stopped during the command",
          shown.getAsJsonObject("params").get("message").getAsString());
      assertEquals(1, lsp.awaitExit(DEADLINE));
      assertEquals(List.of("tether: the tether daemon stopped during the command"), lsp.stderrText().lines().toList());
      left.forEach(Processes::endTree);
    }
  }

  /** Polls the daemon's status (deadline-bounded) until {@code n} handed-over commands are running. */
  private void awaitRunningHandOvers(int n) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      TetherCli.Result status = tether.run("daemon", "status");
      if (status.stdout().contains("(" + n + " running)")) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "no " + n + " running hand-over(s): " + status);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private long handedOver() {
    TetherCli.Result status = tether.run("daemon", "status");
    Matcher m = Pattern.compile("(\\d+) handed over").matcher(status.stdout());
    assertTrue(m.find(), status.toString());
    return Long.parseLong(m.group(1));
  }

  /** The daemon's open descriptors, once the count is steady (a finished command's close is done by then). */
  private int daemonDescriptors() {
    long pid = tether.daemon().orElseThrow().pid();
    String[] names = new File("/proc/" + pid + "/fd").list();
    return names == null ? -1 : names.length;
  }

  private String runWithStdin(File stdin, String... args) {
    Process process = start(stdin, null, args);
    String out = read(process.getInputStream());
    String err = read(process.getErrorStream());
    assertEquals(0, await(process), err);
    return out;
  }

  private Process start(File stdin, File stdout, String... args) {
    ProcessBuilder builder = tether.processBuilder(List.of(args), base).redirectInput(stdin);
    if (stdout != null) {
      builder.redirectOutput(stdout);
    }
    return startTracked(builder);
  }

  private final List<Process> started = new ArrayList<>();

  private Process startTracked(ProcessBuilder builder) {
    try {
      Process process = builder.start();
      started.add(process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int await(Process process) {
    try {
      if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        Processes.endTree(process.toHandle());
        throw new AssertionError("the command did not finish within " + DEADLINE.toSeconds() + " s");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = read(process.getInputStream());
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), String.join(" ", command));
    return out;
  }

  /**
   * Connects to both sockets as the user {@code prefix} makes us (Debian's python, which can pass
   * descriptors): sends a hand-over request with three descriptors, and reads the first byte each
   * socket answers ({@code closed} when the daemon closes without a word; {@code open} when the command
   * socket, whose client speaks first, is still waiting after 2 s: the owner's control case).
   */
  private String probe(List<String> prefix, Path handOver, Path command) throws IOException, InterruptedException {
    String script = String.join("\n",
        "import socket, struct, sys, os",
        "def utf(s):",
        "    b = s.encode()",
        "    return struct.pack('>H', len(b)) + b",
        "s = socket.socket(socket.AF_UNIX)",
        "s.connect(sys.argv[1])",
        "req = struct.pack('>I', 0x54484f31) + utf('probe') + utf('/') + struct.pack('>I', 1) + utf('status')",
        "try:",
        "    socket.send_fds(s, [req], [0, 1, 2])",
        "    a = s.recv(1)",
        "except (BrokenPipeError, ConnectionResetError):",
        "    a = b''",
        "print('handover=' + ('closed' if not a else a.decode()), end=' ')",
        "d = socket.socket(socket.AF_UNIX)",
        "d.connect(sys.argv[2])",
        "d.settimeout(2)",
        "try:",
        "    b = d.recv(1)",
        "    print('daemon=' + ('closed' if not b else 'spoke'))",
        "except socket.timeout:",
        "    print('daemon=open')",
        "except ConnectionResetError:",
        "    print('daemon=closed')");
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of("/usr/bin/python3", "-c", script, handOver.toString(), command.toString()));
    Process process = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).start();
    String out = read(process.getInputStream());
    String err = read(process.getErrorStream());
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "probe finished");
    assertEquals(0, process.exitValue(), out + err);
    return out.strip();
  }
}
