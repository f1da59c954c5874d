package dev.tether.mux;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Time for the session: a clock and one-shot timers. Tests pass a fake whose time only moves when the
 * test says so; production uses {@link #system()}. Tasks must not block: they run on a shared timer
 * thread.
 */
public interface Scheduler {
  long nanoTime();

  Cancellable schedule(Runnable task, long delay, TimeUnit unit);

  /** A scheduled task that can be called off; cancelling twice or after it ran is harmless. */
  interface Cancellable {
    void cancel();
  }

  /** The real clock and one shared daemon timer thread for every session in the process. */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }

  /** The production scheduler; a separate class so the executor is created only when first used. */
  final class SystemScheduler implements Scheduler {
    static final SystemScheduler INSTANCE = new SystemScheduler();
    private final ScheduledThreadPoolExecutor timer;

    private SystemScheduler() {
      timer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "tether-timer");
        thread.setDaemon(true);
        return thread;
      });
      timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
      ScheduledFuture<?> future = timer.schedule(task, delay, unit);
      return () -> future.cancel(false);
    }
  }
}
