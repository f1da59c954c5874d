package dev.tether.local.demo;

import dev.tether.local.TetherException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code tether lsp ...} as an editor starts it: a child process running this same java and jar, with
 * the demo's runtime and cache directories in its environment. Its stderr (progress such as
 * "installing the agent", or the one-line failure) is kept with the time each line arrived.
 *
 * <p>Threading: a daemon thread reads stderr; {@link #stderrLines} and {@link #lastError} are safe
 * from any thread.
 */
final class TetherLspProcess {
  /** JVM settings of the {@code ./tether} launcher, so the demo times what users get. */
  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
  /** An orphaned demo daemon (say the demo was killed with -9) ends itself after this idle time. */
  private static final String DAEMON_IDLE_SECONDS = "60";

  /** One stderr line and when it arrived, in nanoseconds since the process started. */
  record Line(long atNanos, String text) {}

  private final Process process;
  private final EditorClient editor;
  private final long startNanos;
  private final List<Line> stderr = new ArrayList<>();

  private TetherLspProcess(Process process, long startNanos) {
    this.process = process;
    this.startNanos = startNanos;
    this.editor = new EditorClient(process.getInputStream(), process.getOutputStream(), this::lastError);
    Thread reader = new Thread(this::readStderr, "demo-tether-lsp-stderr");
    reader.setDaemon(true);
    reader.start();
  }

  /** The java command and jar arguments that run this tether again. */
  static List<String> selfCommand(Path agentJar) throws TetherException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(JVM_FLAGS);
    command.add("-Dtether.agent.jar=" + agentJar);
    command.add("-Dtether.daemon.idle=" + DAEMON_IDLE_SECONDS);
    Path self = selfLocation();
    if (Files.isRegularFile(self)) {
      command.addAll(List.of("-jar", self.toString()));
    } else { // classes on a class path, as in tests
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tether.local.cli.Tether"));
    }
    return command;
  }

  /** Starts {@code command} in {@code workingDir} (the editor's project) with {@code environment} added. */
  static TetherLspProcess start(List<String> command, Path workingDir, Map<String, String> environment)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile());
    builder.environment().putAll(environment);
    builder.environment().remove("SSH_AUTH_SOCK"); // the demo host takes only its own throwaway key
    long start = System.nanoTime();
    return new TetherLspProcess(builder.start(), start);
  }

  EditorClient editor() {
    return editor;
  }

  /** The process, while it runs. */
  Optional<ProcessHandle> handle() {
    return process.isAlive() ? Optional.of(process.toHandle()) : Optional.empty();
  }

  long elapsedNanos() {
    return System.nanoTime() - startNanos;
  }

  List<Line> stderrLines() {
    synchronized (stderr) {
      return List.copyOf(stderr);
    }
  }

  /** The last line on stderr, without the {@code tether: } prefix; empty if there was none. */
  String lastError() {
    synchronized (stderr) {
      return stderr.isEmpty() ? "" : stderr.get(stderr.size() - 1).text().replaceFirst("^tether: ", "");
    }
  }

  /** Waits for the exit; a process still running after {@code timeout} is ended, and -1 returned. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    stop();
    return -1;
  }

  void stop() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
      }
    }
  }

  private void readStderr() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        synchronized (stderr) {
          stderr.add(new Line(elapsedNanos(), line));
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  private static Path selfLocation() throws TetherException {
    try {
      return Path.of(TetherLspProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      throw new TetherException("cannot locate the tether jar to run 'tether lsp': " + e.getMessage(), e);
    }
  }

  static String quoteForShell(List<String> args) {
    List<String> quoted = new ArrayList<>();
    for (String arg : args) {
      quoted.add(arg.matches("[\\w@%+=:,./~-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
    }
    return String.join(" ", quoted);
  }
}
