package dev.tether.mux;

import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameLog;
import dev.tether.mux.internal.FrameWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The session's writer (okhttp's {@code Http2Writer} plus the loop that feeds it): owns the transport's
 * output through the <em>write token</em>. Whoever holds the token owns the attached {@link FrameWriter}:
 * the session's writer thread, from the first frame of a batch until it has flushed the batch, or an
 * application thread that found the token free and nothing queued and writes and flushes its own DATA
 * frame ({@link #takeTokenLocked}, {@link #writeDirect}). The token hand-over under the session lock
 * orders their writes. What to send comes from the session ({@link Source}); the writer decides only
 * who writes, when to flush and what to send before the transport is closed.
 *
 * <p>Threading: the lock is the session's. Methods named {@code ...Locked} are called with it held and
 * only do bookkeeping; frames are written, flushed and the transport closed with it released.
 * {@link #round} is the body of the session's writer thread ({@link #run}); with {@code block} false it
 * never waits, which is how the tests drive it on the test thread, with no threads and no real time.
 */
final class SessionWriter {
  /** What the writer asks its session. Methods named {@code ...Locked} run under the session lock. */
  interface Source {
    /** True once the session is closed: the writer then sends its last words and ends. */
    boolean closedLocked();

    /** The next frame to send, or null when none is ready or the session is not attached. */
    Frame nextLocked(long now);

    /** The ack the frame about to be written carries. */
    long ackLocked();

    /** {@code frame} is about to be written with {@code ack}: count it as sent. */
    void sendingLocked(Frame frame, long ack);

    /** True when frames wait or the session closed: a thread giving the token back then wakes the writer. */
    boolean pendingLocked();

    /** On close: what to write before the transport is closed (queued frames, the GOAWAY); may be empty. */
    List<Frame> lastWordsLocked();

    /** Outside the lock: writing to the transport of generation {@code generation} failed. */
    void writeFailed(int generation, String why);

    /** Outside the lock: the last words are written (or could not be); the transport may be closed. */
    void finished();
  }

  /** What one {@link #round} did. */
  enum Round {
    /** Wrote one frame into the buffer; the token stays with the writer thread until it flushes. */
    WROTE,
    /** Nothing more to write: flushed (or the write failed) and gave the token back. */
    FLUSHED,
    /** Nothing to do, or the token is held by an application thread (only when not blocking). */
    IDLE,
    /** The session closed: the last words are out and the writer has ended. */
    CLOSED
  }

  private final ReentrantLock lock;
  private final Condition wake;
  private final Scheduler clock;
  private final Source source;
  private final FrameLog frameLog;

  // Guarded by lock.
  private FrameWriter attached;
  private int generation;
  private boolean tokenHeld;

  // Owned by whoever holds the token as an application thread (set in takeTokenLocked).
  private FrameWriter directOut;
  private int directGeneration;

  // Owned by the writer thread: written to since its last flush; the token is the writer's while non-null.
  private FrameWriter dirty;
  private int dirtyGeneration;

  SessionWriter(ReentrantLock lock, Scheduler clock, Source source, FrameLog frameLog) {
    this.lock = lock;
    this.wake = lock.newCondition();
    this.clock = clock;
    this.source = source;
    this.frameLog = frameLog;
  }

  /** The session attached a transport: frames from now on go to its output. */
  void attachLocked(OutputStream output, int transportGeneration) {
    attached = new FrameWriter(output);
    generation = transportGeneration;
    wake.signalAll();
  }

  /** Something was queued (or an ack made room): wakes the writer thread if it waits. */
  void wakeLocked() {
    wake.signal();
  }

  /** The session closed (or attached): wakes every waiter. */
  void wakeAllLocked() {
    wake.signalAll();
  }

  boolean tokenFreeLocked() {
    return !tokenHeld;
  }

  // ---- an application thread writing its own frame ---------------------------------------------

  /**
   * Takes the write token for the calling thread, which then must call {@link #writeDirect} exactly
   * once; false when someone holds it.
   */
  boolean takeTokenLocked() {
    if (tokenHeld) {
      return false;
    }
    tokenHeld = true;
    directOut = attached;
    directGeneration = generation;
    return true;
  }

  /**
   * Writes and flushes one frame with the token taken by {@link #takeTokenLocked}, then gives the
   * token back. A failed write is reported to the session (which detaches; the frame is in the replay
   * buffer, so a resume retransmits it) rather than thrown.
   */
  void writeDirect(Frame frame, long ack) {
    try {
      frameLog.outbound(frame, ack);
      directOut.write(frame, ack);
      directOut.flush();
    } catch (IOException e) {
      source.writeFailed(directGeneration, "write failed: " + e.getMessage());
    } finally {
      directOut = null;
      releaseToken();
    }
  }

  // ---- the writer thread -----------------------------------------------------------------------

  /** The writer thread's body: rounds until the session closed and the last words are out. */
  void run() {
    while (round(true) != Round.CLOSED) {
      // next round
    }
  }

  /**
   * One round of the writer thread: writes the next frame into the buffer, or flushes when nothing is
   * left to write, or (once the session closed) writes the last words and hands the transport back to
   * be closed. While an application thread holds the token it waits for it; with nothing to do it
   * waits for {@link #wakeLocked}. With {@code block} false it returns {@link Round#IDLE} instead of
   * waiting.
   */
  Round round(boolean block) {
    Frame frame = null;
    List<Frame> lastWords = null;
    FrameWriter out;
    int gen;
    long ack;
    lock.lock();
    try {
      while (!source.closedLocked() && dirty == null
          && (tokenHeld || (frame = source.nextLocked(clock.nanoTime())) == null)) {
        if (!block) {
          return Round.IDLE;
        }
        wake.awaitUninterruptibly();
      }
      if (source.closedLocked()) {
        while (tokenHeld && dirty == null) { // an application thread is writing; the last words follow it
          if (!block) {
            return Round.IDLE;
          }
          wake.awaitUninterruptibly();
        }
        lastWords = source.lastWordsLocked();
      } else if (frame == null) {
        frame = source.nextLocked(clock.nanoTime()); // more to write before flushing?
      }
      out = attached;
      gen = generation;
      ack = source.ackLocked();
      if (frame != null && lastWords == null) {
        tokenHeld = true;
        source.sendingLocked(frame, ack);
      }
    } finally {
      lock.unlock();
    }
    if (lastWords != null) {
      writeLastWords(lastWords, out, ack);
      return Round.CLOSED;
    }
    if (frame == null) {
      flushBatch();
      return Round.FLUSHED;
    }
    return writeInBatch(frame, ack, out, gen);
  }

  private Round writeInBatch(Frame frame, long ack, FrameWriter out, int gen) {
    if (dirty != null && dirty != out) {
      flushQuietly(dirty, dirtyGeneration); // left over from before a resume
    }
    try {
      frameLog.outbound(frame, ack);
      out.write(frame, ack);
      dirty = out;
      dirtyGeneration = gen;
      return Round.WROTE;
    } catch (IOException e) {
      source.writeFailed(gen, "write failed: " + e.getMessage());
      dirty = null;
      releaseToken();
      return Round.FLUSHED;
    }
  }

  private void flushBatch() {
    flushQuietly(dirty, dirtyGeneration);
    dirty = null;
    releaseToken();
  }

  private void flushQuietly(FrameWriter out, int gen) {
    try {
      out.flush();
    } catch (IOException e) {
      source.writeFailed(gen, "write failed: " + e.getMessage());
    }
  }

  /** Gives the write token back and wakes the writer thread if frames queued up meanwhile. */
  private void releaseToken() {
    lock.lock();
    try {
      tokenHeld = false;
      if (source.pendingLocked()) {
        wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void writeLastWords(List<Frame> lastWords, FrameWriter out, long ack) {
    if (out != null) {
      try {
        for (Frame frame : lastWords) {
          frameLog.outbound(frame, ack);
          out.write(frame, ack);
        }
        out.flush();
      } catch (IOException ignored) {
        // The peer may already be gone; the GOAWAY was a courtesy.
      }
    }
    source.finished();
  }
}
