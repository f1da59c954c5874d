package dev.tether.local.cli;

import dev.tether.local.daemon.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on a terminal (me.tongfei:progressbar): a transfer gets a bar in MiB with its rate; another
 * step that lasts over a second gets an indeterminate bar with the time spent; a shorter step is one
 * line, {@code tether: STEP}, as on a pipe. What stays on the screen is the same text either way.
 *
 * <p>Threading: called from the ui reader thread and ({@link #end}) the command's thread, and from its
 * own timer; all state is guarded by {@code this}. Bars render on progressbar's own thread.
 */
final class TerminalProgress implements Progress {
  static final long QUIET_MILLIS = 1000;

  private final PrintStream err;
  private final Consumer<String> bars; // where bars draw; null: progressbar's console consumer on err
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "progress");
    thread.setDaemon(true);
    return thread;
  });
  private final Set<String> finished = new HashSet<>();
  private String current;
  private ProgressBar bar;
  private ScheduledFuture<?> pending;

  private TerminalProgress(PrintStream err, Consumer<String> bars) {
    this.err = err;
    this.bars = bars;
  }

  /** Bars on a terminal; plain lines (as always) when stderr is not one or TERM is dumb. */
  static Progress forStderr(PrintStream err) {
    Consumer<String> lines = line -> err.println("tether: " + line);
    return stderrIsTerminal() ? new TerminalProgress(err, null) : Progress.lines(lines);
  }

  /** For tests: bars drawn as strings to {@code bars}, lines to {@code err}. */
  static TerminalProgress drawingTo(PrintStream err, Consumer<String> bars) {
    return new TerminalProgress(err, bars);
  }

  static boolean stderrIsTerminal() {
    if ("dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try { // no isatty in the JDK; on Linux, fd 2's link names its device
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  @Override
  public synchronized void step(String line) {
    finishCurrent();
    current = line;
    pending = timer.schedule(() -> showWaiting(line), QUIET_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void bytes(String line, long done, long total) {
    if (finished.contains(line)) {
      return; // a late report of a transfer already shown as done
    }
    if (!line.equals(current)) {
      finishCurrent();
      current = line;
    }
    if (bar == null || bar.getMax() != total) {
      cancelPending();
      closeBar();
      bar = builder(line).setInitialMax(total).setUnit(" MiB", 1024 * 1024).showSpeed().build();
    }
    bar.stepTo(done);
  }

  @Override
  public synchronized void end() {
    finishCurrent();
    current = null;
  }

  private synchronized void showWaiting(String line) {
    if (line.equals(current) && bar == null) {
      bar = builder(line).setInitialMax(-1).hideEta().build();
    }
  }

  private ProgressBarBuilder builder(String line) {
    ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("tether: " + line)
        .setStyle(ProgressBarStyle.UNICODE_BLOCK).setUpdateIntervalMillis(100).continuousUpdate().clearDisplayOnFinish();
    ProgressBarConsumer consumer = bars == null ? new ConsoleProgressBarConsumer(err)
        : new DelegatingProgressBarConsumer(bars, 160);
    return builder.setConsumer(consumer);
  }

  /** Ends the current step: its bar is cleared, and its line printed, as a pipe would show it. */
  private void finishCurrent() {
    cancelPending();
    if (bar != null) {
      if (bar.getMax() > 0) {
        bar.stepTo(bar.getMax());
      }
      closeBar();
    }
    if (current != null) {
      err.println("tether: " + current);
      finished.add(current);
    }
  }

  private void closeBar() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }

  private void cancelPending() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }
}
