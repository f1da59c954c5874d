package dev.tether.mux;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One process-wide pool of daemon threads for work that may block (acceptors spawning processes,
 * listener callbacks, closing transports). Idle threads end after a minute, so an idle process keeps
 * none.
 */
public final class Workers {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ExecutorService SHARED = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), runnable -> {
        Thread thread = new Thread(runnable, "tether-worker-" + COUNT.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });

  private Workers() {}

  public static ExecutorService shared() {
    return SHARED;
  }
}
