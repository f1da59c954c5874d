package dev.tether.local.connect;

import dev.tether.local.TetherException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the bootstrap of an agent on a host (from the authenticated SSH connection to the agent's
 * {@code sys/info} answer) by one deadline: a host where {@code java -version}, {@code sha256sum},
 * the upload or the agent hangs makes the connect fail with the step named, instead of holding it
 * (and every command waiting for the same host) forever. On expiry the connection is closed, which
 * unblocks whatever read the bootstrap is in; the bootstrap then asks {@link #failure} for the message.
 *
 * <p>The deadline is {@value #DEFAULT_SECONDS} s, or {@code TETHER_CONNECT_TIMEOUT} seconds from the
 * environment (the {@code tether.connect.timeout} system property wins), so tests can use a short one.
 *
 * <p>Threading: {@link #step} is called by the connecting thread; expiry runs on a shared timer
 * thread; {@link #close} cancels it and may be called from any thread.
 */
final class BootstrapDeadline implements java.io.Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapDeadline.class);
  static final long DEFAULT_SECONDS = 30;
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bootstrap-deadline");
    thread.setDaemon(true);
    return thread;
  });

  private final String host;
  private final Duration limit;
  private final AutoCloseable connection;
  private final ScheduledFuture<?> timer;
  private volatile String step = "starting";
  private volatile boolean expired;

  /** Starts the clock; at {@code limit} the {@code connection} is closed. */
  BootstrapDeadline(String host, Duration limit, AutoCloseable connection) {
    this.host = host;
    this.limit = limit;
    this.connection = connection;
    this.timer = TIMER.schedule(this::expire, limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The configured limit: {@code tether.connect.timeout} or {@code TETHER_CONNECT_TIMEOUT} seconds, else 30 s. */
  static Duration configured() {
    String value = System.getProperty("tether.connect.timeout", System.getenv("TETHER_CONNECT_TIMEOUT"));
    if (value == null || value.isBlank()) {
      return Duration.ofSeconds(DEFAULT_SECONDS);
    }
    try {
      long seconds = Long.parseLong(value.trim());
      if (seconds > 0) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    LOG.warn("ignoring TETHER_CONNECT_TIMEOUT={}: not a positive number of seconds", value);
    return Duration.ofSeconds(DEFAULT_SECONDS);
  }

  /** Names what the bootstrap does now, for the message if the deadline passes during it. */
  void step(String name) {
    step = name;
  }

  boolean expired() {
    return expired;
  }

  /** The error to report when the deadline passed; {@code cause} is what the closed connection gave. */
  TetherException failure(Exception cause) {
    return new TetherException("connecting to " + host + " timed out after " + limit.toSeconds() + " s while "
        + step + "; the host did not answer (is it overloaded, or does a command hang in its login shell?)", cause);
  }

  private void expire() {
    expired = true;
    LOG.info("bootstrap on {} still {} after {} s: closing the connection", host, step, limit.toSeconds());
    try {
      connection.close();
    } catch (Exception e) {
      LOG.debug("closing the connection to {} failed: {}", host, e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.cancel(false);
  }
}
