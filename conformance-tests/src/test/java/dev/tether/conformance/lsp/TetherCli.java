package dev.tether.conformance.lsp;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real {@code tether} CLI (bridge-local's tether.jar, with the agent jar bridge-remote built)
 * as separate processes, the way {@code ./tether} does, with a private {@code TETHER_RUNTIME_DIR} (so
 * a private daemon) and {@code XDG_CACHE_HOME}, and without the user's ssh-agent or askpass.
 *
 * <p>Every process started here is ended by {@link #close}, the daemon included: by {@code tether
 * daemon stop}, then by the pid it wrote, then any other daemon that names this runtime directory
 * (found through {@code /proc/PID/environ}).
 */
public final class TetherCli implements AutoCloseable {
  public static final Path CLI_JAR = Path.of("..", "bridge-local", "target", "tether.jar").toAbsolutePath().normalize();
  public static final Path AGENT_JAR = Path.of("..", "bridge-remote", "target", "tether-remote.jar").toAbsolutePath().normalize();
  public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> SCRUBBED = List.of("SSH_AUTH_SOCK", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "DISPLAY",
      "TETHER_LOG", "TETHER_RUNTIME_DIR", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "JAVA_TOOL_OPTIONS");
  private static final AtomicInteger SERIAL = new AtomicInteger();
  private static final List<String> HANDED_OVER = List.of("lsp", "dap", "exec", "fs", "ext");

  private final Path runtimeDir;
  private final Path cacheHome;
  private final Path logs;
  private final List<Process> started = new CopyOnWriteArrayList<>();

  /** The CLI jars must have been built; failing here says how. */
  public TetherCli(Path runtimeDir, Path cacheHome, Path logs) {
    for (Path jar : List.of(CLI_JAR, AGENT_JAR)) {
      if (!Files.isRegularFile(jar)) {
        throw new AssertionError(jar + " is missing: build it first with "
            + "'mvn -B install -DskipTests -pl jsonrpc-mux,adapters,bridge-remote,bridge-local'");
      }
    }
    this.runtimeDir = runtimeDir;
    this.cacheHome = cacheHome;
    this.logs = logs;
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path runtimeDir() {
    return runtimeDir;
  }

  /** {@code $XDG_CACHE_HOME/tether/files}: where host-only files are copied. */
  public Path filesCache() {
    return cacheHome.resolve("tether").resolve("files");
  }

  /** Starts {@code tether lsp ARGS} in {@code workingDirectory}, with an editor attached to its stdio. */
  public LspProcess lsp(Path workingDirectory, List<String> args) {
    List<String> command = new ArrayList<>(List.of("lsp"));
    command.addAll(args);
    int n = SERIAL.incrementAndGet();
    Path stderr = logs.resolve("lsp-" + n + ".stderr");
    ProcessBuilder builder = builder(command, workingDirectory)
        .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
    Process process = start(builder);
    LspEditor editor = new LspEditor(process.getInputStream(), process.getOutputStream(), "lsp-" + n);
    return new LspProcess(process, editor, stderr, String.join(" ", command));
  }

  /** Runs a short command ({@code status}, {@code daemon stop}) to the end. */
  public Result run(String... args) {
    int n = SERIAL.incrementAndGet();
    Path out = logs.resolve("cli-" + n + ".stdout");
    Path err = logs.resolve("cli-" + n + ".stderr");
    ProcessBuilder builder = builder(Arrays.asList(args), logs)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    Process process = start(builder);
    try {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        Processes.endTree(process.toHandle());
        throw new AssertionError("tether " + String.join(" ", args) + " did not finish within "
            + EXIT_TIMEOUT.toSeconds() + " s");
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Starts {@code tether ARGS} in the background (stdin empty, output to log files); ended by {@link #close}. */
  public Process spawn(String... args) {
    int n = SERIAL.incrementAndGet();
    return start(builder(Arrays.asList(args), logs)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(logs.resolve("cli-" + n + ".stdout").toFile())
        .redirectError(logs.resolve("cli-" + n + ".stderr").toFile()));
  }

  /**
   * Starts {@code tether ARGS} in {@code workingDirectory} with its stdin, stdout and stderr as pipes
   * for the caller to drive; ended by {@link #close} if still running.
   */
  public Process startPiped(Path workingDirectory, String... args) {
    return start(builder(Arrays.asList(args), workingDirectory));
  }

  /** What a finished command printed. */
  public record Result(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + ", stdout: " + stdout.strip() + ", stderr: " + stderr.strip();
    }
  }

  /**
   * The command line and environment {@code tether ARGS} runs with here, for callers that start it
   * their own way (under a PTY, say); they end what they start.
   */
  public ProcessBuilder processBuilder(List<String> args, Path workingDirectory) {
    return builder(args, workingDirectory);
  }

  private ProcessBuilder builder(List<String> args, Path workingDirectory) {
    List<String> command = new ArrayList<>(List.of(Processes.java(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-Dtether.agent.jar=" + AGENT_JAR,
        // A safety net only: close() stops the daemon; should a test die first, it leaves within minutes.
        "-Dtether.daemon.idle=300"));
    // As ./tether does: lsp, dap, exec and fs start the front end that hands its stdio to the daemon (and
    // runs the full CLI itself when it cannot), so every suite covers the hand-over where it applies.
    if (!args.isEmpty() && HANDED_OVER.contains(args.get(0))) {
      command.addAll(List.of("-cp", CLI_JAR.toString(), "dev.tether.local.front.HandOver"));
    } else {
      command.addAll(List.of("-jar", CLI_JAR.toString()));
    }
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
    Map<String, String> env = builder.environment();
    SCRUBBED.forEach(env::remove);
    env.put("TETHER_RUNTIME_DIR", runtimeDir.toString());
    env.put("XDG_CACHE_HOME", cacheHome.toString());
    return builder;
  }

  private Process start(ProcessBuilder builder) {
    try {
      Process process = builder.start();
      started.add(process);
      return process;
    } catch (IOException e) {
      throw new AssertionError("cannot start " + builder.command() + ": " + e.getMessage(), e);
    }
  }

  /** The daemon serving this runtime directory, by the pid it wrote. */
  public Optional<ProcessHandle> daemon() {
    try {
      Path pidFile = runtimeDir.resolve("daemon.pid");
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Every live {@code tether daemon run} whose environment names this runtime directory. */
  public List<ProcessHandle> daemonsForThisRuntimeDir() {
    String marker = "TETHER_RUNTIME_DIR=" + runtimeDir;
    return ProcessHandle.allProcesses()
        .filter(p -> Processes.commandLine(p).contains("dev.tether.local.cli.Tether daemon run"))
        .filter(p -> Processes.environment(p).contains(marker))
        .toList();
  }

  /** Ends the CLI processes started here (those still running). */
  public void endCommands() {
    for (Process process : started) {
      if (process.isAlive()) {
        Processes.endTree(process.toHandle());
      }
    }
  }

  /**
   * Stops this runtime directory's daemon the way a user does ({@code tether daemon stop}) and waits
   * for its pid to go; returns the stop command's result (null when no daemon was running).
   */
  public Result stopDaemon() {
    Optional<ProcessHandle> daemon = daemon();
    if (daemon.isEmpty() && daemonsForThisRuntimeDir().isEmpty()) {
      return null;
    }
    Result stop = run("daemon", "stop");
    daemon.ifPresent(h -> Processes.awaitExit(h, Duration.ofSeconds(15)));
    return stop;
  }

  /** Everything started here ends, whatever state the tests left it in. */
  @Override
  public void close() {
    endCommands();
    try {
      stopDaemon();
    } finally {
      daemon().ifPresent(Processes::endTree);
      daemonsForThisRuntimeDir().forEach(Processes::endTree);
    }
  }

  /** One running {@code tether lsp} with the editor on its stdio. */
  public static final class LspProcess implements AutoCloseable {
    private final Process process;
    private final LspEditor editor;
    private final Path stderr;
    private final String description;

    public LspProcess(Process process, LspEditor editor, Path stderr, String description) {
      this.process = process;
      this.editor = editor;
      this.stderr = stderr;
      this.description = description;
    }

    public LspEditor editor() {
      return editor;
    }

    public Process process() {
      return process;
    }

    /** Waits for the process to exit and its stdout to be read to the end; returns the exit status. */
    public int awaitExit(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError("tether " + description + " did not exit within " + timeout.toSeconds()
              + " s; stderr: " + stderrText() + "; the editor saw: " + editor.transcriptTail());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      editor.awaitEnd(Duration.ofSeconds(10));
      return process.exitValue();
    }

    public String stderrText() {
      try {
        return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        return "(cannot read " + stderr + ": " + e.getMessage() + ")";
      }
    }

    public List<String> stderrLines() {
      return stderrText().lines().toList();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        Processes.endTree(process.toHandle());
      }
    }
  }
}
