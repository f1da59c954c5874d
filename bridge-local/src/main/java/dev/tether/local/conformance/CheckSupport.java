package dev.tether.local.conformance;

import dev.tether.local.conformance.Check.Failure;
import dev.tether.local.conformance.RawFrames.Frame;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The scaffolding every group's checks share: a session to the agent (spoken frame by frame, or through
 * the public API as a custom client would), and waiting for an answer with a deadline instead of for ever.
 */
final class CheckSupport {
  /** How long a check waits for one answer before it calls the peer silent. */
  static final long ANSWER_SECONDS = Peer.ANSWER_SECONDS;

  private CheckSupport() {}

  /** A session spoken frame by frame ({@link Peer}); a refused hello fails the check. */
  static Peer rawSession(Target target) throws Exception {
    Peer peer = Peer.handshake(target.connect());
    if (peer.reply().isError()) {
      peer.close();
      throw new Failure("the agent refused the hello: " + peer.reply().errorReason());
    }
    return peer;
  }

  /** A session through the public Java API ({@link Session}), as a custom client opens one. */
  static Session session(Target target) throws Exception {
    return Session.connect(target.connect(), SessionConfig.defaults().withAgent("tether-conformance/1"));
  }

  /**
   * Runs {@code task} on a thread of its own and returns its result, or fails the check when it takes
   * longer than {@link #ANSWER_SECONDS} (the thread is interrupted and left to the check's clean-up).
   */
  static <T> T within(String what, Callable<T> task) throws Exception {
    FutureTask<T> future = new FutureTask<>(task);
    Thread thread = new Thread(future, "conformance " + what);
    thread.setDaemon(true);
    thread.start();
    try {
      return future.get(ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new Failure("no " + what + " within " + ANSWER_SECONDS + " s");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /**
   * Polls {@code condition} until it holds, for state the peer changes on a thread of its own with no
   * signal to wait for (a temporary file removed after a RESET); false when the deadline passed.
   */
  static boolean eventually(Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  static String describe(Frame frame) {
    return frame == null ? "the end of the transport" : frame.describe();
  }
}
