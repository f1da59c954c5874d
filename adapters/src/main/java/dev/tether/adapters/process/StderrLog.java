package dev.tether.adapters.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/**
 * A hosted process's stderr, line by line into the agent log, remembering the last line: when the
 * process dies, that line usually says why, and the reason sent to the client carries it.
 *
 * <p>Threading: {@link #pump} runs on a thread of its own until the stream ends; {@link #reason}
 * may be called from any thread.
 */
public final class StderrLog {
  private final Logger log;
  private final String name;
  private volatile String lastLine;

  public StderrLog(Logger log, String name) {
    this.log = log;
    this.name = name;
  }

  /** Logs every line of {@code stderr} until it ends (the process is gone). */
  public void pump(InputStream stderr) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        log.info("[{}] {}", name, line);
        lastLine = line;
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  /** {@code "; its last stderr line: ..."}, or empty when it wrote none: to append to an exit reason. */
  public String reason() {
    String line = lastLine;
    return line == null ? "" : "; its last stderr line: " + line;
  }
}
