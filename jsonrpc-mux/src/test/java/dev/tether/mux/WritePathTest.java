package dev.tether.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.internal.FrameType;
import dev.tether.mux.testing.FakeScheduler;
import dev.tether.mux.testing.GatedTransport;
import dev.tether.mux.testing.ScriptedPeer;
import dev.tether.mux.testing.ScriptedPeer.Received;
import dev.tether.mux.transport.InMemoryTransport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who writes a frame: an application thread writes its own DATA frame when the session's writer is
 * idle and nothing is queued; otherwise the writer thread's round robin decides. These tests pin down
 * that either way the wire order, the sequence numbers and the fairness between channels are those of
 * a single fair writer.
 */
class WritePathTest {
  private static final int FRAME = 4096;
  private final FakeScheduler clock = new FakeScheduler();
  private GatedTransport gated;
  private ScriptedPeer peer;
  private Session session;

  private void connect() throws Exception {
    connect(SessionConfig.defaults());
  }

  private void connect(SessionConfig base) throws Exception {
    InMemoryTransport.Link link = InMemoryTransport.pair();
    gated = new GatedTransport(link.initiator());
    peer = new ScriptedPeer(link.acceptor());
    SessionConfig config = base.withName("write-path").withScheduler(clock)
        .withMaxFrameSize(FRAME);
    CompletableFuture<Session> connecting = CompletableFuture.supplyAsync(() -> {
      try {
        return Session.connect(gated, config);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    peer.acceptHandshake(FRAME);
    session = connecting.get(5, TimeUnit.SECONDS);
  }

  private Channel open(String kind, ChannelFlavour flavour) throws Exception {
    CompletableFuture<Channel> opening = session.openAsync(kind, flavour, "{}");
    Received open = peer.expect(FrameType.OPEN);
    peer.openOk(open.channel(), 1 << 20);
    return opening.get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void anIdleSessionLetsTheWritingThreadSendItsOwnFrame() throws Exception {
    connect();
    Channel channel = open("bytes", ChannelFlavour.BYTES);
    String me = Thread.currentThread().getName();
    // The writer thread may be busy for a moment (an ACK on its timer, say): then the caller rightly
    // queues. An idle moment comes soon; in one of these writes the caller must write its own frame.
    List<List<String>> seen = new java.util.ArrayList<>();
    for (int attempt = 0; attempt < 20; attempt++) {
      int before = gated.writerThreads().size();
      channel.write(new byte[] {1, 2, 3}, 0, 3);
      Received data = peer.expect(FrameType.DATA);
      assertArrayEquals(new byte[] {1, 2, 3}, data.frame().payload);
      List<String> writes = List.copyOf(gated.writerThreads().subList(before, gated.writerThreads().size()));
      seen.add(writes);
      if (!writes.isEmpty() && writes.stream().allMatch(me::equals)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no DATA frame was written by the calling thread on an idle session: " + seen);
  }

  /** A session that cannot resume could not survive a write broken by its caller's interrupt. */
  @Test
  void aSessionThatCannotResumeLeavesEveryWriteToTheWriterThread() throws Exception {
    connect(SessionConfig.defaults().withCapabilities(java.util.Set.of()));
    Channel channel = open("bytes", ChannelFlavour.BYTES);
    int before = gated.writerThreads().size();
    channel.write(new byte[] {7}, 0, 1);
    assertArrayEquals(new byte[] {7}, peer.expect(FrameType.DATA).frame().payload);
    List<String> writes = gated.writerThreads().subList(before, gated.writerThreads().size());
    assertTrue(!writes.isEmpty() && writes.stream().allMatch(name -> name.startsWith("tether-writer-")),
        "without resume the writer thread writes, but it was " + writes);
  }

  @Test
  void tryWriteNeverWritesOnTheCallingThread() throws Exception {
    connect();
    Channel channel = open("bytes", ChannelFlavour.BYTES);
    int before = gated.writerThreads().size();
    assertEquals(3, channel.tryWrite(new byte[] {4, 5, 6}, 0, 3));
    assertArrayEquals(new byte[] {4, 5, 6}, peer.expect(FrameType.DATA).frame().payload);
    List<String> writes = gated.writerThreads().subList(before, gated.writerThreads().size());
    assertTrue(!writes.isEmpty() && writes.stream().allMatch(name -> name.startsWith("tether-writer-")),
        "tryWrite must hand its frame to the writer thread, but it was written by " + writes);
  }

  /**
   * A bulk writer is blocked in the transport with its own frame; a small message written meanwhile
   * on another channel must not block its caller, and must go out right after that one frame, before
   * the bulk channel's next frames. Seqs stay consecutive in wire order.
   */
  @Test
  void underContentionTheSmallMessageWaitsForAtMostTheFrameInProgress() throws Exception {
    connect();
    Channel bulk = open("bulk", ChannelFlavour.BYTES);
    Channel small = open("small", ChannelFlavour.MESSAGES);
    byte[] bulkBytes = new byte[3 * FRAME];
    for (int i = 0; i < bulkBytes.length; i++) {
      bulkBytes[i] = (byte) (i / FRAME + 1);
    }
    gated.closeGate();
    CompletableFuture<Void> bulkWrite = CompletableFuture.runAsync(() -> {
      try {
        bulk.write(bulkBytes, 0, bulkBytes.length);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertTrue(gated.awaitBlockedWriter(5, TimeUnit.SECONDS), "the bulk writer never reached the transport");
    // The bulk writer holds the transport: the small message is queued for the writer thread and
    // its caller returns at once.
    CompletableFuture.runAsync(() -> {
      try {
        small.writeMessage(new byte[] {42});
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }).get(5, TimeUnit.SECONDS);
    gated.openGate();
    bulkWrite.get(5, TimeUnit.SECONDS);

    List<Received> frames = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      frames.add(peer.expect(FrameType.DATA));
    }
    assertEquals(List.of(bulk.id(), small.id(), bulk.id(), bulk.id()),
        frames.stream().map(Received::channel).toList(), "wire order of the DATA frames");
    assertArrayEquals(ScriptedPeer.messageBytes(new byte[] {42}), frames.get(1).frame().payload);
    byte[] bulkReceived = new byte[bulkBytes.length];
    int at = 0;
    for (Received frame : List.of(frames.get(0), frames.get(2), frames.get(3))) {
      System.arraycopy(frame.frame().payload, 0, bulkReceived, at, frame.frame().payload.length);
      at += frame.frame().payload.length;
    }
    assertArrayEquals(bulkBytes, bulkReceived, "the bulk bytes arrive whole and in order");
    for (int i = 1; i < frames.size(); i++) {
      assertEquals(frames.get(i - 1).frame().seq() + 1, frames.get(i).frame().seq(), "seqs follow wire order");
    }
  }

  /** Many threads on many channels at once: every channel's bytes arrive in order, seqs without gaps. */
  @Test
  void concurrentWritersKeepEachChannelsOrderAndTheSeqsConsecutive() throws Exception {
    connect();
    int channels = 4;
    int frames = 50;
    List<Channel> open = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      open.add(open("c" + i, ChannelFlavour.BYTES));
    }
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (Channel channel : open) {
      writers.add(CompletableFuture.runAsync(() -> {
        try {
          for (int n = 0; n < frames; n++) {
            byte[] chunk = new byte[100];
            Arrays.fill(chunk, (byte) n);
            channel.write(chunk, 0, chunk.length);
          }
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    int[] nextChunk = new int[channels * 2 + 2];
    long lastSeq = -1;
    for (int i = 0; i < channels * frames; i++) {
      Received data = peer.expect(FrameType.DATA);
      if (lastSeq >= 0) {
        assertEquals(lastSeq + 1, data.frame().seq(), "seqs follow wire order without gaps");
      }
      lastSeq = data.frame().seq();
      byte[] expected = new byte[100];
      Arrays.fill(expected, (byte) nextChunk[data.channel()]++);
      assertArrayEquals(expected, data.frame().payload, "chunk order on channel " + data.channel());
    }
    for (CompletableFuture<Void> writer : writers) {
      writer.get(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Channel output held back for replay room waits for an acknowledgement, and the acknowledgement
   * that makes room is what sets it going again (the writer is woken for that, not for every frame).
   */
  @Test
  void dataHeldBackForReplayRoomGoesOutWhenAnAckMakesRoom() throws Exception {
    connect(SessionConfig.defaults().withReplayLimit(128 * 1024)); // 64 KiB for DATA, the rest reserved
    Channel channel = open("bytes", ChannelFlavour.BYTES);
    byte[] bytes = new byte[32 * FRAME];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + i / 7);
    }
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
      try {
        channel.write(bytes, 0, bytes.length);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    byte[] got = new byte[bytes.length];
    int at = 0;
    int heldBack = 0;
    while (at < bytes.length) {
      Received next = peer.next(300, TimeUnit.MILLISECONDS);
      if (next == null) {
        heldBack++;
        assertTrue(heldBack < 20, "no DATA even after acknowledging everything received");
        peer.ack(); // the session is waiting for room: acknowledge what arrived so far
        continue;
      }
      if (next.type() == FrameType.DATA) {
        System.arraycopy(next.frame().payload, 0, got, at, next.frame().payload.length);
        at += next.frame().payload.length;
      }
    }
    assertTrue(heldBack > 0, "64 KiB of replay room should have held the 128 KiB write back at least once");
    assertArrayEquals(bytes, got);
    write.get(5, TimeUnit.SECONDS);
  }

  /**
   * While bulk and small messages share the session, bulk in flight is held to a few frames (so a
   * small message never sits in the transport behind more), a small message passes the held bulk,
   * and each acknowledgement lets the bulk go on.
   */
  @Test
  void mixedTrafficHoldsBulkInFlightToAFewFramesAndLetsSmallMessagesPass() throws Exception {
    connect();
    Channel bulk = open("bulk", ChannelFlavour.BYTES);
    Channel small = open("small", ChannelFlavour.MESSAGES);
    peer.ack(); // nothing of the opening remains in flight
    small.writeMessage(new byte[] {1});
    assertEquals(small.id(), peer.expect(FrameType.DATA).channel());
    byte[] bytes = new byte[40 * FRAME];
    new java.util.Random(7).nextBytes(bytes);
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
      try {
        bulk.write(bytes, 0, bytes.length);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    byte[] got = new byte[bytes.length];
    int at = 0;
    int bulkSinceAck = 0;
    int maxInFlight = 0;
    boolean smallPassed = false;
    while (at < bytes.length) {
      Received next = peer.next(300, TimeUnit.MILLISECONDS);
      if (next == null) {
        if (!smallPassed) {
          small.writeMessage(new byte[] {2}); // bulk is held back now: this must still go out
          Received passed = peer.expect(FrameType.DATA);
          assertEquals(small.id(), passed.channel(), "the small message passes the held bulk");
          smallPassed = true;
        }
        peer.ack();
        bulkSinceAck = 0;
        continue;
      }
      if (next.type() == FrameType.DATA) {
        assertEquals(bulk.id(), next.channel());
        System.arraycopy(next.frame().payload, 0, got, at, next.frame().payload.length);
        at += next.frame().payload.length;
        maxInFlight = Math.max(maxInFlight, ++bulkSinceAck);
      }
    }
    assertTrue(smallPassed, "the bulk was never held back");
    assertTrue(maxInFlight <= 4, "at most 4 bulk frames unacknowledged, saw " + maxInFlight);
    assertArrayEquals(bytes, got);
    write.get(5, TimeUnit.SECONDS);
  }

  /**
   * A peer that acknowledges only on its 20 ms timer (as PROTOCOL.md allows) must not throttle bulk to
   * a few frames per timer tick: one late acknowledgement suspends the in-flight budget.
   */
  @Test
  void aPeerThatAcknowledgesLateSuspendsTheBudget() throws Exception {
    connect();
    Channel bulk = open("bulk", ChannelFlavour.BYTES);
    Channel small = open("small", ChannelFlavour.MESSAGES);
    peer.ack();
    small.writeMessage(new byte[] {1});
    assertEquals(small.id(), peer.expect(FrameType.DATA).channel());
    byte[] bytes = new byte[40 * FRAME];
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
      try {
        bulk.write(bytes, 0, bytes.length);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    int frames = 0;
    for (Received next = peer.next(300, TimeUnit.MILLISECONDS); next != null;
        next = peer.next(300, TimeUnit.MILLISECONDS)) {
      if (next.type() == FrameType.DATA) {
        frames++;
      }
    }
    assertTrue(frames > 0 && frames <= 4, "held to the budget before any ack, sent " + frames);
    clock.advance(java.time.Duration.ofMillis(20)); // the peer's ack timer, not an early ack
    peer.ack();
    while (frames < 40) {
      Received next = peer.next(5, TimeUnit.SECONDS);
      assertTrue(next != null, "bulk stalled after " + frames + " frames without further acks");
      if (next.type() == FrameType.DATA) {
        frames++;
      }
    }
    write.get(5, TimeUnit.SECONDS);
  }

  /** Receiving bulk mixed with small messages, the session acknowledges every two frames, not at 8 MiB. */
  @Test
  void receivingMixedTrafficAcknowledgesEarly() throws Exception {
    connect();
    Channel bulk = open("bulk", ChannelFlavour.BYTES);
    Channel small = open("small", ChannelFlavour.BYTES);
    peer.data(bulk.id(), new byte[FRAME]);
    peer.data(small.id(), new byte[] {1});
    long seq = peer.nextSeq();
    peer.data(bulk.id(), new byte[FRAME]);
    peer.data(bulk.id(), new byte[FRAME]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      assertTrue(System.nanoTime() < deadline, "no early ACK (the fake clock never fires the ack timer)");
      Received next = peer.next(100, TimeUnit.MILLISECONDS);
      if (next != null && next.type() == FrameType.ACK && next.ack() >= seq) {
        break;
      }
    }
  }
}
