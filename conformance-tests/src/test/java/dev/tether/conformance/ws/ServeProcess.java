package dev.tether.conformance.ws;

import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real agent jar running {@code tether-remote serve} with a HOME of the test's own (its token,
 * certificate and log live there); started, read and ended by pid.
 */
public final class ServeProcess implements AutoCloseable {
  private static final Pattern SERVING = Pattern.compile("serving (wss?)://[^ ]*:(\\d+)/");
  private static final Pattern FINGERPRINT = Pattern.compile("certificate (SHA256:[0-9a-f]{64})");

  public final Path home;
  public final Process process;
  public final int port;
  public final String scheme;
  public final String fingerprint;
  public final List<String> output;

  private ServeProcess(Path home, Process process, int port, String scheme, String fingerprint, List<String> output) {
    this.home = home;
    this.process = process;
    this.port = port;
    this.scheme = scheme;
    this.fingerprint = fingerprint;
    this.output = output;
  }

  /** Starts {@code tether-remote serve ARGS} and waits for the line that names its port (or its exit). */
  public static ServeProcess start(Path home, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Processes.java(), "-jar", TetherCli.AGENT_JAR.toString(), "serve"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("HOME", home.toString());
    builder.environment().remove("TETHER_TOKEN");
    Process process = builder.start();
    process.getOutputStream().close();
    List<String> output = new CopyOnWriteArrayList<>();
    CompletableFuture<Matcher> serving = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          output.add(line);
          Matcher m = SERVING.matcher(line);
          if (m.find()) {
            serving.complete(m);
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      serving.complete(null);
    }, "serve-output");
    reader.setDaemon(true);
    reader.start();
    Matcher m;
    try {
      m = serving.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Processes.endTree(process.toHandle());
      throw new AssertionError("tether-remote serve did not start within 60 s: " + output, e);
    }
    if (m == null) {
      process.waitFor(10, TimeUnit.SECONDS);
      return new ServeProcess(home, process, -1, null, null, output);
    }
    String fingerprint = null;
    for (String line : output) {
      Matcher f = FINGERPRINT.matcher(line);
      if (f.find()) {
        fingerprint = f.group(1);
      }
    }
    return new ServeProcess(home, process, Integer.parseInt(m.group(2)), m.group(1), fingerprint, output);
  }

  public Path tokenFile() {
    return home.resolve(".tether").resolve("token");
  }

  public String token() throws IOException {
    return Files.readString(tokenFile(), StandardCharsets.US_ASCII).strip();
  }

  public Path log() {
    return home.resolve(".tether").resolve("logs").resolve("tether-remote-serve.log");
  }

  public String logText() throws IOException {
    return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
  }

  public String url() {
    return scheme + "://127.0.0.1:" + port + "/";
  }

  /** Deletes a test's directory tree, best effort. */
  public static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp directory is harmless
    }
  }

  @Override
  public void close() {
    Processes.endTree(process.toHandle());
  }
}
