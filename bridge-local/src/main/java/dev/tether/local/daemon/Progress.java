package dev.tether.local.daemon;

import java.util.function.Consumer;

/**
 * Where a command shows what the daemon is doing for it (connecting, installing the agent): steps, the
 * bytes of a transfer, and the end of it all (the host is reached, or it failed).
 *
 * <p>Threading: called from the command's {@code ui} reader thread, and {@link #end} also from the thread
 * that opened the remote channel.
 */
public interface Progress {
  /** A new step, such as "connecting to build-box". */
  void step(String line);

  /** How far the transfer that {@code line} names has got; the first call for a line is also its step. */
  void bytes(String line, long done, long total);

  /** Nothing more is coming for now: the host was reached (or not). */
  void end();

  /** Each step as one line to {@code lines}, once; byte counts are not shown. What a log or a pipe gets. */
  static Progress lines(Consumer<String> lines) {
    return new Progress() {
      private String last;

      @Override
      public synchronized void step(String line) {
        last = line;
        lines.accept(line);
      }

      @Override
      public synchronized void bytes(String line, long done, long total) {
        if (!line.equals(last)) {
          step(line);
        }
      }

      @Override
      public synchronized void end() {
        last = null;
      }
    };
  }
}
