package dev.tether.conformance.terminal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Everything a stream printed so far, as text, for tests that wait for output the way a person watches
 * a screen: {@link #await} blocks until the text matches, or fails after a generous timeout showing
 * what was seen. One thread copies the stream; any thread may wait.
 */
final class Screen {
  private final StringBuilder text = new StringBuilder();
  private final String name;
  private boolean ended;

  private Screen(String name) {
    this.name = name;
  }

  static Screen watch(InputStream stream, String name) {
    Screen screen = new Screen(name);
    Thread reader = new Thread(() -> screen.copy(stream), "screen " + name);
    reader.setDaemon(true);
    reader.start();
    return screen;
  }

  private void copy(InputStream stream) {
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = stream.read(buffer)) >= 0) {
        synchronized (this) {
          text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          notifyAll();
        }
      }
    } catch (IOException e) {
      // A PTY master reports EIO once the child side closed: the end of the screen.
    }
    synchronized (this) {
      ended = true;
      notifyAll();
    }
  }

  synchronized String text() {
    return text.toString();
  }

  /** Waits until {@code done} holds for the text from {@code from} on. */
  synchronized void await(int from, Predicate<String> done, String what, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(text.substring(Math.min(from, text.length())))) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || ended) {
        throw new AssertionError(name + ": " + (ended ? "output ended" : "no " + what + " within " + timeout.toSeconds()
            + " s") + " while waiting for " + what + "; it showed:\n" + visible(text.substring(Math.min(from, text.length()))));
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** Waits for {@code needle} at or after {@code from}; returns the position just after it. */
  synchronized int awaitText(int from, String needle, Duration timeout) {
    await(from, t -> t.contains(needle), "'" + needle + "'", timeout);
    return text.indexOf(needle, from) + needle.length();
  }

  /** Waits for the end of the stream. */
  synchronized void awaitEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(name + ": output did not end within " + timeout.toSeconds() + " s; it showed:\n"
            + visible(text.toString()));
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  static String visible(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\n' || c >= ' ' && c != 127) {
        out.append(c);
      } else {
        out.append(String.format("\\x%02x", (int) c));
      }
    }
    return out.toString();
  }
}
