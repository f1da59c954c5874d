package dev.tether.conformance.ports;

import dev.tether.conformance.lsp.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running {@code tether forward}: its stderr lines are collected as they come, and a test waits for
 * the line it needs (the mapping, an error) instead of sleeping.
 */
final class ForwardProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new ArrayList<>();

  ForwardProcess(Process process) {
    this.process = process;
    drain(process.getInputStream(), null);
    drain(process.getErrorStream(), lines);
  }

  private void drain(InputStream in, List<String> into) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (into != null) {
            synchronized (this) {
              into.add(line);
              notifyAll();
            }
          }
        }
      } catch (IOException ended) {
        // the process is gone
      }
    }, "tether forward output");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits for a stderr line matching {@code pattern} (anywhere in the line) and returns its match. */
  synchronized Matcher await(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (true) {
      for (; seen < lines.size(); seen++) {
        Matcher m = pattern.matcher(lines.get(seen));
        if (m.find()) {
          return m;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || (!process.isAlive() && seen == lines.size())) {
        throw new AssertionError("tether forward never printed a line matching /" + pattern + "/ (exit "
            + (process.isAlive() ? "none, still running" : process.exitValue()) + "); its stderr: " + lines);
      }
      try {
        wait(Math.max(1, Math.min(left / 1_000_000, 200)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  Process process() {
    return process;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      Processes.endTree(process.toHandle());
    }
  }
}
