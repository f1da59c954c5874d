package dev.tether.conformance.web;

import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code tether web DESTINATION} process (tether.jar as {@code ./tether} runs it), started in a
 * workspace directory, with the one-time URL it printed. Ended, with the agents it started, by its pid.
 */
final class WebProcess implements AutoCloseable {
  private static final Pattern URL = Pattern.compile("^open (http://127\\.0\\.0\\.1:(\\d+)/t/([0-9a-f]{64})) ");

  final Process process;
  final URI url;
  final int port;
  final String ticket;
  final Path stderr;
  final List<String> stdout = new ArrayList<>();

  private WebProcess(Process process, URI url, int port, String ticket, Path stderr) {
    this.process = process;
    this.url = url;
    this.port = port;
    this.ticket = ticket;
    this.stderr = stderr;
  }

  /**
   * Starts {@code tether web ARGS} in {@code workspace}, with {@code -Dtether.web.ticketSeconds} set to
   * {@code ticketSeconds}, and waits for the URL it prints.
   */
  static WebProcess start(TetherCli tether, Path workspace, Path logs, long ticketSeconds, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("web"));
    command.addAll(List.of(args));
    ProcessBuilder builder = tether.processBuilder(command, workspace);
    builder.command().add(1, "-Dtether.web.ticketSeconds=" + ticketSeconds);
    Path stderr = Files.createTempFile(logs, "web-", ".stderr");
    Process process = builder.redirectError(stderr.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    List<String> lines = new ArrayList<>();
    CompletableFuture<Matcher> printed = CompletableFuture.supplyAsync(() -> readUrl(process, lines));
    try {
      Matcher m = printed.get(60, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("tether web printed no URL; stdout " + lines + ", stderr: " + Files.readString(stderr));
      }
      WebProcess web = new WebProcess(process, URI.create(m.group(1)), Integer.parseInt(m.group(2)), m.group(3), stderr);
      web.stdout.addAll(lines);
      return web;
    } catch (Exception e) {
      Processes.endTree(process.toHandle());
      if (e instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      throw new AssertionError("tether web did not start: " + e + "; stderr: " + Files.readString(stderr), e);
    }
  }

  private static Matcher readUrl(Process process, List<String> lines) {
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    try {
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
        Matcher m = URL.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String origin() {
    return "http://127.0.0.1:" + port;
  }

  String stderrText() throws IOException {
    return Files.readString(stderr);
  }

  /** Ends tether web and every agent it started (its descendants), by pid. */
  @Override
  public void close() {
    Processes.endTree(process.toHandle());
  }
}
