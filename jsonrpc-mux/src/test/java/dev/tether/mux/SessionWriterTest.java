package dev.tether.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.SessionWriter.Round;
import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameLog;
import dev.tether.mux.internal.FrameReader;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.testing.FakeScheduler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The write token and the write loop, driven round by round on the test thread: no writer thread, no
 * transport, no real time. The session's side is a scripted {@link SessionWriter.Source}.
 */
class SessionWriterTest {
  private final ReentrantLock lock = new ReentrantLock();
  private final FakeScheduler clock = new FakeScheduler();
  private final ScriptedSource source = new ScriptedSource();
  private final SessionWriter writer = new SessionWriter(lock, clock, source, new FrameLog("writer-test"));
  private final RecordingOutput wire = new RecordingOutput();
  private long lastSeq;

  SessionWriterTest() {
    attach(wire, 1);
  }

  @Test
  void queuedFramesAreWrittenInOrderAndFlushedOnceWhenTheQueueRunsDry() throws Exception {
    source.queue(data(1, "a"), data(3, "b"), data(1, "c"));
    source.ack = 7;
    assertEquals(Round.WROTE, writer.round(false));
    assertEquals(Round.WROTE, writer.round(false));
    assertEquals(Round.WROTE, writer.round(false));
    assertEquals(0, wire.flushes, "nothing is flushed while frames are left to write");
    assertEquals(Round.FLUSHED, writer.round(false));
    assertEquals(1, wire.flushes);
    assertEquals(List.of("1:a@7", "3:b@7", "1:c@7"), framesOn(wire));
    assertEquals(3, source.sent.size(), "each frame was counted as sent with its ack");
    assertEquals(Round.IDLE, writer.round(false));
  }

  @Test
  void theSourceIsAskedAtTheSchedulersTime() {
    clock.advance(Duration.ofMillis(250));
    writer.round(false);
    assertEquals(List.of(clock.nanoTime()), source.askedAt);
  }

  @Test
  void theWriterThreadHoldsTheTokenFromItsFirstFrameUntilItHasFlushed() {
    source.queue(data(1, "a"));
    assertEquals(Round.WROTE, writer.round(false));
    assertFalse(takeToken(), "an application thread must not write into the writer's unflushed batch");
    assertEquals(Round.FLUSHED, writer.round(false));
    assertTrue(takeToken());
  }

  @Test
  void anApplicationThreadHoldingTheTokenKeepsTheWriterThreadWaiting() throws Exception {
    assertTrue(takeToken());
    source.queue(data(3, "queued"));
    assertEquals(Round.IDLE, writer.round(false), "the writer waits for the token");
    assertFalse(takeToken(), "one holder at a time");
    writer.writeDirect(data(1, "direct"), 0);
    assertEquals(List.of("1:direct@0"), framesOn(wire), "a direct frame is flushed at once");
    assertEquals(Round.WROTE, writer.round(false));
    assertEquals(Round.FLUSHED, writer.round(false));
    assertEquals(List.of("1:direct@0", "3:queued@0"), framesOn(wire));
  }

  @Test
  void aFailedFlushIsReportedWithItsTransportsGenerationAndTheTokenGivenBack() {
    RecordingOutput broken = new RecordingOutput();
    broken.failing = true;
    attach(broken, 7);
    source.queue(data(1, "lost"));
    assertEquals(Round.WROTE, writer.round(false)); // buffered: the failure shows at the flush
    assertEquals(Round.FLUSHED, writer.round(false));
    assertEquals(List.of("7: write failed: broken pipe"), source.failures);
    assertTrue(takeToken(), "the token is free again");
  }

  @Test
  void aFailedDirectWriteIsReportedAndTheTokenGivenBack() {
    RecordingOutput broken = new RecordingOutput();
    broken.failing = true;
    attach(broken, 4);
    assertTrue(takeToken());
    writer.writeDirect(data(1, "x"), 0);
    assertEquals(List.of("4: write failed: broken pipe"), source.failures);
    assertTrue(takeToken());
  }

  @Test
  void framesWrittenBeforeAResumeAreFlushedToTheirOwnTransport() throws Exception {
    source.queue(data(1, "old"));
    assertEquals(Round.WROTE, writer.round(false));
    RecordingOutput resumed = new RecordingOutput();
    attach(resumed, 2);
    source.queue(data(1, "new"));
    assertEquals(Round.WROTE, writer.round(false));
    assertEquals(List.of("1:old@0"), framesOn(wire), "the old batch is flushed before writing to the new one");
    assertEquals(Round.FLUSHED, writer.round(false));
    assertEquals(List.of("1:new@0"), framesOn(resumed));
  }

  @Test
  void closingWritesTheLastWordsAfterTheUnflushedBatchThenHandsTheTransportBack() throws Exception {
    source.queue(data(1, "a"));
    assertEquals(Round.WROTE, writer.round(false));
    source.closed = true;
    source.lastWords = List.of(data(3, "queued"), goaway());
    assertEquals(Round.CLOSED, writer.round(false));
    assertEquals(List.of("1:a@0", "3:queued@0", "0:GOAWAY@0"), framesOn(wire));
    assertEquals(1, source.finished);
  }

  @Test
  void closingWaitsForAnApplicationThreadsFrameBeforeTheGoaway() throws Exception {
    assertTrue(takeToken());
    source.closed = true;
    source.lastWords = List.of(goaway());
    assertEquals(Round.IDLE, writer.round(false));
    assertEquals(0, source.finished);
    writer.writeDirect(data(1, "last"), 0);
    assertEquals(Round.CLOSED, writer.round(false));
    assertEquals(List.of("1:last@0", "0:GOAWAY@0"), framesOn(wire));
  }

  @Test
  void aTransportThatFailsDuringTheLastWordsIsStillHandedBack() {
    RecordingOutput broken = new RecordingOutput();
    broken.failing = true;
    attach(broken, 3);
    source.closed = true;
    source.lastWords = List.of(goaway());
    assertEquals(Round.CLOSED, writer.round(false));
    assertEquals(1, source.finished);
    assertEquals(List.of(), source.failures, "a GOAWAY that cannot be written is no transport failure");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void attach(OutputStream out, int generation) {
    lock.lock();
    try {
      writer.attachLocked(out, generation);
    } finally {
      lock.unlock();
    }
  }

  private boolean takeToken() {
    lock.lock();
    try {
      return writer.takeTokenLocked();
    } finally {
      lock.unlock();
    }
  }

  /** A DATA frame as the replay buffer hands it out: with a sequence number. */
  private Frame data(int channel, String text) {
    return Frame.received(FrameType.DATA, 0, channel, ++lastSeq,
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static Frame goaway() {
    return new Frame(FrameType.GOAWAY, 0, Payloads.error(ErrorCode.NO_ERROR, "bye"));
  }

  /** The frames on a wire as {@code channel:payload@ack} (GOAWAY by its type). */
  private static List<String> framesOn(RecordingOutput out) throws IOException {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(out.bytes.toByteArray()), 1 << 20);
    List<String> frames = new ArrayList<>();
    while (reader.nextFrame((frame, ack) -> frames.add(frame.channel + ":"
        + (frame.type == FrameType.DATA ? new String(frame.payload, java.nio.charset.StandardCharsets.UTF_8)
            : frame.type.toString()) + "@" + ack))) {
      // next frame
    }
    return frames;
  }

  /** Bytes that reached the transport (only at a flush: the writer buffers), and flushes counted. */
  private static final class RecordingOutput extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int flushes;
    boolean failing;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (failing) {
        throw new IOException("broken pipe");
      }
      bytes.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      if (failing) {
        throw new IOException("broken pipe");
      }
      flushes++;
    }
  }

  /** The session's side, scripted: a queue of frames, a closed flag, the last words. */
  private static final class ScriptedSource implements SessionWriter.Source {
    final ArrayDeque<Frame> queued = new ArrayDeque<>();
    final List<Long> askedAt = new ArrayList<>();
    final List<Frame> sent = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    boolean closed;
    List<Frame> lastWords = List.of();
    long ack;
    int finished;

    void queue(Frame... frames) {
      queued.addAll(List.of(frames));
    }

    @Override
    public boolean closedLocked() {
      return closed;
    }

    @Override
    public Frame nextLocked(long now) {
      askedAt.add(now);
      return queued.pollFirst();
    }

    @Override
    public long ackLocked() {
      return ack;
    }

    @Override
    public void sendingLocked(Frame frame, long frameAck) {
      sent.add(frame);
    }

    @Override
    public boolean pendingLocked() {
      return closed || !queued.isEmpty();
    }

    @Override
    public List<Frame> lastWordsLocked() {
      return lastWords;
    }

    @Override
    public void writeFailed(int generation, String why) {
      failures.add(generation + ": " + why);
    }

    @Override
    public void finished() {
      finished++;
    }
  }
}
