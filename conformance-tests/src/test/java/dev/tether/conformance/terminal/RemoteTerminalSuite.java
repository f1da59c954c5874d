package dev.tether.conformance.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import dev.tether.adapters.terminal.TerminalClient;
import dev.tether.adapters.terminal.TerminalService.CreateParams;
import dev.tether.adapters.terminal.TerminalService.TerminalInfo;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshServerFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code tether shell} and {@code tether exec} end to end, as a person and a script use them: the
 * real CLI, the real per-user daemon, a real SSH server on 127.0.0.1 (each subclass brings one), the
 * real agent bootstrapped onto it, a real bash in a real PTY on the host, and for {@code tether
 * shell} a real PTY on the local side too (pty4j), resized like a terminal window.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RemoteTerminalSuite {
  static final String HOST_ALIAS = "tether-test-host";
  static final Duration WAIT = Duration.ofSeconds(60);
  /** A prompt no shell prints by default, so waiting for it means the remote bash is reading. */
  static final String PROMPT = "remote-prompt> ";
  static final String BASH = "PS1='" + PROMPT + "' exec bash --norc --noprofile -i";

  Path base;
  Path sshConfig;
  SshServerFixture server;
  TetherCli tether;

  abstract SshServerFixture startServer();

  @BeforeAll
  void startServerAndWriteConfig() throws IOException {
    if (!Files.isExecutable(Path.of("/bin/bash"))) {
      throw new AssertionError("these tests drive a real bash: apt-get install -y bash");
    }
    base = Files.createTempDirectory("tether-term-");
    server = startServer();
    sshConfig = base.resolve("ssh_config");
    Files.writeString(sshConfig, String.join("\n", server.hostConfig(HOST_ALIAS, base.resolve("known_hosts"))));
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterEach
  void endCommands() {
    if (tether != null) {
      tether.endCommands();
    }
  }

  @AfterAll
  void stopEverything() {
    try {
      if (tether != null) {
        tether.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
      deleteTree(base);
    }
  }

  /** {@code tether VERB HOST -F CONFIG MORE...}. */
  List<String> args(String verb, String... more) {
    List<String> args = new ArrayList<>(List.of(verb, HOST_ALIAS, "-F", sshConfig.toString()));
    args.addAll(List.of(more));
    return args;
  }

  // ---- tether shell ---------------------------------------------------------------------------

  @Test
  void shellRunsBashInARemotePtyFollowsResizesAndExitsWithItsStatus() throws Exception {
    PtyProcess pty = underPty(args("shell", "--", BASH), "; echo TETHER-EXIT=$?; stty -a");
    try {
      Screen screen = Screen.watch(pty.getInputStream(), "tether shell");
      OutputStream keys = pty.getOutputStream();
      int at = screen.awaitText(0, PROMPT, WAIT);

      type(keys, "echo MARK$((6*7))\r");
      at = screen.awaitText(at, "MARK42", WAIT);
      at = screen.awaitText(at, PROMPT, WAIT);

      type(keys, "stty size\r");
      at = screen.awaitText(at, "24 80", WAIT);
      at = screen.awaitText(at, PROMPT, WAIT);

      // The window grows: SIGWINCH reaches tether, which resizes the remote PTY. Ask again until the
      // remote side sees it (the resize travels asynchronously; no fixed sleep).
      pty.setWinSize(new WinSize(132, 43));
      at = askUntil(screen, keys, at, "stty size\r", "43 132");

      type(keys, "exit 7\r");
      at = screen.awaitText(at, "TETHER-EXIT=7", WAIT);
      screen.awaitEnd(WAIT);
      String after = screen.text().substring(at);
      for (String mode : List.of("icanon", "echo", "isig", "icrnl", "opost")) {
        assertTrue(Pattern.compile("(^|\\s)" + mode + "(\\s|$)", Pattern.MULTILINE).matcher(after).find(),
            "the local terminal must be restored (" + mode + " on) after tether exits; stty -a said:\n" + after);
      }
      assertTrue(pty.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the PTY's shell must end");
    } finally {
      ProcessHandle.of(pty.pid()).ifPresent(Processes::endTree); // pty4j's process has no toHandle()
    }
  }

  /**
   * Starts {@code tether ARGS} (then {@code andThen}, shell text) in a new 80x24 PTY, as a terminal
   * emulator would; the caller ends it.
   */
  private PtyProcess underPty(List<String> args, String andThen) throws IOException {
    String script = quote(tether.processBuilder(args, base).command()) + andThen;
    Map<String, String> env = new java.util.HashMap<>(tether.processBuilder(List.of(), base).environment());
    env.put("TERM", "xterm");
    return new PtyProcessBuilder(new String[] {"/bin/sh", "-c", script})
        .setEnvironment(env).setDirectory(base.toString()).setInitialColumns(80).setInitialRows(24).start();
  }

  /** Types {@code command} until the screen shows {@code expected}, at most for {@link #WAIT}. */
  private static int askUntil(Screen screen, OutputStream keys, int at, String command, String expected) throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      type(keys, command);
      int end = screen.awaitText(at, PROMPT, WAIT);
      if (screen.text().substring(at, end).contains(expected)) {
        return end;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the remote PTY never reported '" + expected + "'; last answer:\n"
            + Screen.visible(screen.text().substring(at, end)));
      }
      at = end;
    }
  }

  @Test
  void terminalsOutliveTheirAttachmentAndReplayTheirRecentOutput() throws Exception {
    assertEquals(0, tether.run(args("exec", "--", "true").toArray(String[]::new)).exit(), "tether exec true");
    RemoteSpec spec = new RemoteSpec(HOST_ALIAS, List.of("-F", sshConfig.toString()), null);
    try (DaemonClient daemon = DaemonClient.connect(new DaemonPaths(tether.runtimeDir()), false, line -> {},
        Prompter.unavailable());
        TerminalClient terminals = TerminalClient.open(daemon.opener(spec))) {
      CreateParams params = new CreateParams();
      params.command = BASH;
      params.cols = 100;
      params.rows = 30;
      TerminalInfo created = terminals.create(params);
      assertTrue(created.alive, "a new terminal is running: " + created);

      try (TerminalClient.Attachment first = terminals.attach(created.id)) {
        Screen screen = Screen.watch(first.output(), "first attachment");
        int at = screen.awaitText(0, PROMPT, WAIT);
        type(first.input(), "echo before$((2+3))\r");
        screen.awaitText(at, "before5", WAIT);
      }

      TetherCli.Result list = tether.run(args("shell", "--list").toArray(String[]::new));
      assertEquals(0, list.exit(), "tether shell --list: " + list);
      assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(created.id + " ") && l.contains("100x30")),
          "tether shell --list names the detached terminal: " + list.stdout());

      // The CLI attaches as a person would, in a terminal: the earlier output first, then live.
      PtyProcess pty = underPty(args("shell", "--attach", created.id), "");
      try {
        Screen screen = Screen.watch(pty.getInputStream(), "tether shell --attach");
        int at = screen.awaitText(0, "before5", WAIT); // the scrollback, before anything new is typed
        type(pty.getOutputStream(), "exit 3\r");
        screen.awaitText(at, "exit", WAIT);
        assertTrue(pty.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "tether shell --attach must end with the terminal");
        assertEquals(3, pty.exitValue(), "tether shell --attach exits with the terminal's status");
        assertEquals(3, terminals.awaitExit(created.id), "exit status of the re-attached terminal");
      } finally {
        ProcessHandle.of(pty.pid()).ifPresent(Processes::endTree);
      }
      assertFalse(terminals.list().stream().filter(t -> t.id.equals(created.id)).findFirst().orElseThrow().alive,
          "the terminal is listed as exited");
    }
  }

  @Test
  void terminalsEndWithTheSession() throws Exception {
    assertEquals(0, tether.run(args("exec", "--", "true").toArray(String[]::new)).exit(), "tether exec true");
    RemoteSpec spec = new RemoteSpec(HOST_ALIAS, List.of("-F", sshConfig.toString()), null);
    long pid;
    try (DaemonClient daemon = DaemonClient.connect(new DaemonPaths(tether.runtimeDir()), false, line -> {},
        Prompter.unavailable());
        TerminalClient terminals = TerminalClient.open(daemon.opener(spec))) {
      CreateParams params = new CreateParams();
      params.command = BASH;
      pid = terminals.create(params).pid;
    }
    ProcessHandle shell = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("the terminal's bash is not running"));
    assertTrue(shell.isAlive(), "the terminal lives on after its client closed");
    tether.stopDaemon(); // the daemon's session to the host ends
    assertTrue(Processes.awaitExit(shell, Duration.ofSeconds(30)), "the terminal's bash must end with the session");
  }

  // ---- tether exec ----------------------------------------------------------------------------

  @Test
  void execKeepsStdoutAndStderrApartAndExitsWithTheRemoteStatus() {
    TetherCli.Result result = tether.run(args("exec", "--", "echo to-out; echo to-err >&2; exit 3").toArray(String[]::new));
    assertEquals(3, result.exit(), "exit status: " + result);
    assertEquals("to-out\n", result.stdout(), "stdout: " + result);
    assertTrue(result.stderr().contains("to-err") && !result.stdout().contains("to-err"), "stderr apart: " + result);

    TetherCli.Result joined = tether.run(args("exec", "--", "echo", "one", "two  three").toArray(String[]::new));
    assertEquals(0, joined.exit(), joined.toString());
    assertEquals("one two three\n", joined.stdout(), "words joined with spaces and run by the login shell, as by ssh");

    assertEquals(0, tether.run(args("exec", "--", "true").toArray(String[]::new)).exit());
    assertEquals(1, tether.run(args("exec", "--", "false").toArray(String[]::new)).exit());
  }

  @Test
  void execForwardsStdinWithItsEnd() throws Exception {
    Process exec = tether.startPiped(base, args("exec", "--", "tr a-z A-Z; echo END").toArray(String[]::new));
    try (OutputStream stdin = exec.getOutputStream()) {
      stdin.write("piped through\nthe host\n".getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(exec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(exec.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "tether exec must end after stdin's end");
    assertEquals("PIPED THROUGH\nTHE HOST\nEND\n", out, "stderr: " + new String(exec.getErrorStream().readAllBytes()));
    assertEquals(0, exec.exitValue());
  }

  @Test
  void execDeliversSigintToTheRemoteProcess() throws Exception {
    Process exec = tether.startPiped(base, args("exec", "--",
        "trap 'echo got-INT; exit 5' INT; echo ready; while :; do sleep 0.1; done").toArray(String[]::new));
    exec.getOutputStream().close();
    Screen stdout = Screen.watch(exec.getInputStream(), "tether exec stdout");
    stdout.awaitText(0, "ready", WAIT);
    assertFalse(sigintIgnored(exec.pid()), "SIGINT is ignored by the test's process tree (a background job without "
        + "job control?): tether cannot catch it; run the tests from a shell with job control or a terminal");
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(exec.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor());
    stdout.awaitText(0, "got-INT", WAIT);
    assertTrue(exec.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "tether exec must end with the remote process");
    assertEquals(5, exec.exitValue(), "the remote trap's exit status");
  }

  @Test
  void execDoesNotHangWhenItsStdoutCloses() throws Exception {
    Process exec = tether.startPiped(base, args("exec", "--", "yes").toArray(String[]::new));
    exec.getOutputStream().close();
    InputStream stdout = exec.getInputStream();
    byte[] line = new byte[2];
    assertEquals(2, stdout.readNBytes(line, 0, 2));
    assertEquals("y\n", new String(line, StandardCharsets.US_ASCII));
    stdout.close(); // like `| head -1`
    assertTrue(exec.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "tether exec must end once its stdout is closed");
  }

  @Test
  void execFailsLikeSshWhenTheHostCannotBeReached() {
    TetherCli.Result result = tether.run("exec", "nosuchhost.invalid", "-o", "BatchMode=yes", "--", "true");
    assertEquals(255, result.exit(), result.toString());
    assertTrue(result.stderr().contains("nosuchhost.invalid"), "one line naming the host: " + result);
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory left behind is not worth failing a test for.
    }
  }

  private static boolean sigintIgnored(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
      }
    }
    return false;
  }

  private static void type(OutputStream keys, String text) throws IOException {
    keys.write(text.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  private static String quote(List<String> argv) {
    StringBuilder out = new StringBuilder();
    for (String arg : argv) {
      out.append(out.length() == 0 ? "" : " ").append('\'').append(arg.replace("'", "'\\''")).append('\'');
    }
    return out.toString();
  }
}
