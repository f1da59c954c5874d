package dev.tether.bench;

/** The harness's own threads: named, daemon (a stuck peer must not keep the JVM alive), failures printed. */
final class Threads {
  interface Body {
    void run() throws Exception;
  }

  /** One measured run of a scenario. */
  interface Run<T> {
    T call() throws Exception;
  }

  private Threads() {}

  /**
   * Starts {@code run} once the previous run has wound down and its garbage is collected, so neither
   * its closing threads nor its heap are charged to this one.
   */
  static <T> T settled(Run<T> run) throws Exception {
    Thread.sleep(100);
    System.gc();
    Thread.sleep(100);
    return run.call();
  }

  static Thread start(String name, Body body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Exception e) {
        System.err.println("bench: thread " + name + " failed: " + e);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
