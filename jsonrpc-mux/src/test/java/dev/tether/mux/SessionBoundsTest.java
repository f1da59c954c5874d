package dev.tether.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.internal.Bytes;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.testing.FakeScheduler;
import dev.tether.mux.testing.GatedTransport;
import dev.tether.mux.testing.ScriptedPeer;
import dev.tether.mux.testing.ScriptedPeer.Received;
import dev.tether.mux.transport.InMemoryTransport;
import dev.tether.mux.transport.Transport;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every memory bound a hostile or broken peer runs into (issue #11, "bounded memory"), each against a
 * scripted peer on a fake clock: what it declares is not allocated before it arrives, what it asks for
 * is capped, and what it makes this side queue is bounded.
 */
class SessionBoundsTest {
  private static final int MIB = 1024 * 1024;
  private final FakeScheduler clock = new FakeScheduler();
  private final AtomicReference<String> closedReason = new AtomicReference<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private ScriptedPeer peer;
  private Session session;

  private SessionConfig config() {
    return SessionConfig.defaults().withName("bounded").withScheduler(clock).withInitialWindow(100)
        .withListener(new SessionListener() {
          @Override
          public void onClosed(Session s, ErrorCode code, String reason) {
            closedReason.set(code + " " + reason);
            closed.countDown();
          }
        });
  }

  private void connect(SessionConfig config, int peerFrameSize, UnaryOperator<Transport> wrap) throws Exception {
    InMemoryTransport.Link link = InMemoryTransport.pair();
    peer = new ScriptedPeer(link.acceptor());
    Transport mine = wrap.apply(link.initiator());
    CompletableFuture<Session> connecting = CompletableFuture.supplyAsync(() -> {
      try {
        return Session.connect(mine, config);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    peer.acceptHandshake(peerFrameSize);
    session = connecting.get(5, TimeUnit.SECONDS);
  }

  private void connect(SessionConfig config) throws Exception {
    connect(config, 32 * 1024, t -> t);
  }

  private Channel open(String kind, ChannelFlavour flavour, int peerWindow) throws Exception {
    CompletableFuture<Channel> opening = session.openAsync(kind, flavour, "{}");
    Received open = peer.expect(FrameType.OPEN);
    peer.openOk(open.channel(), peerWindow);
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
  void aDeclaredMessageLengthIsNotAllocatedBeforeItsBytesArrive() throws Exception {
    connect(config());
    Channel channel = open("lsp", ChannelFlavour.MESSAGES, 1000);
    byte[] start = new byte[14];
    Bytes.putInt(start, 0, 64 * MIB); // the largest message the default limit allows, then 10 bytes of it
    peer.data(channel.id(), start);

    AtomicLong allocatedBefore = new AtomicLong(-1);
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      allocatedBefore.set(allocatedBytes(Thread.currentThread().getId()));
      try {
        channel.readMessage();
      } catch (Throwable e) {
        ended.set(e);
      }
    }, "bounded-reader");
    reader.start();
    awaitParked(reader);
    long allocated = allocatedBytes(reader.getId()) - allocatedBefore.get();
    assertTrue(allocated < MIB, "readMessage allocated " + allocated + " bytes for 10 bytes of a 64 MiB message");

    peer.reset(channel.id(), ErrorCode.CANCELLED, "gave up");
    reader.join(5000);
    assertTrue(ended.get() instanceof ChannelResetException, String.valueOf(ended.get()));
  }

  @Test
  void aMessageLargerThanTheFirstBufferStillArrivesWhole() throws Exception {
    connect(config().withInitialWindow(MIB));
    Channel channel = open("lsp", ChannelFlavour.MESSAGES, 1000);
    byte[] body = new byte[100_000];
    new java.util.Random(7).nextBytes(body);
    byte[] framed = ScriptedPeer.messageBytes(body);
    for (int at = 0; at < framed.length; at += 30_000) {
      peer.data(channel.id(), java.util.Arrays.copyOfRange(framed, at, Math.min(framed.length, at + 30_000)));
    }
    assertTrue(java.util.Arrays.equals(body, channel.readMessage()));
  }

  @Test
  void aPeerThatPingsButNeverReadsOverflowsTheControlQueueAndTheSessionCloses() throws Exception {
    GatedTransport[] gated = new GatedTransport[1];
    connect(config().withMaxControlQueue(8), 32 * 1024, t -> gated[0] = new GatedTransport(t));
    gated[0].closeGate();
    peer.send(FrameType.PING, 0, Payloads.ping(1)); // the writer takes this PONG and blocks at the gate
    assertTrue(gated[0].awaitBlockedWriter(5, TimeUnit.SECONDS));
    for (int i = 0; i < 9; i++) {
      peer.send(FrameType.PING, 0, Payloads.ping(2 + i));
    }
    assertTrue(closed.await(5, TimeUnit.SECONDS), "the session did not close");
    assertTrue(closedReason.get().startsWith("PROTOCOL_ERROR control queue overflow"), closedReason.get());
    assertEquals(Session.State.CLOSED, session.state());
    gated[0].openGate();
  }

  @Test
  void aPeerThatGrantsAHugeWindowButNeverAcknowledgesCannotMakeWritesPileUp() throws Exception {
    connect(config().withReplayLimit(128 * 1024)); // room for one 32 KiB frame in flight
    Channel channel = open("bytes", ChannelFlavour.BYTES, 64 * MIB);
    byte[] chunk = new byte[32 * 1024];
    assertEquals(chunk.length, channel.tryWrite(chunk, 0, chunk.length));
    peer.expect(FrameType.DATA); // the one frame the replay buffer takes: the writer is stuck from here

    long taken = 0;
    while (taken < 16 * MIB) {
      int n = channel.tryWrite(chunk, 0, chunk.length);
      if (n == 0) {
        break;
      }
      taken += n;
    }
    assertTrue(taken <= Channel.MAX_UNSENT_BYTES + chunk.length,
        "took " + taken + " bytes while nothing could be sent; the bound is " + Channel.MAX_UNSENT_BYTES);
    assertTrue(channel.unsentBytes() <= Channel.MAX_UNSENT_BYTES + chunk.length, channel.unsentBytes() + " unsent");

    CountDownLatch writable = new CountDownLatch(1);
    channel.onWritable(writable::countDown);
    assertEquals(0, channel.tryWrite(chunk, 0, chunk.length), "full until the writer drains the queue");
    peer.ack(); // replay room again: the writer takes the next frame, the queue drops below its bound
    assertTrue(writable.await(5, TimeUnit.SECONDS), "onWritable once the queue drained");
    assertTrue(channel.tryWrite(chunk, 0, chunk.length) > 0);
    assertEquals(Session.State.ATTACHED, session.state());
  }

  @Test
  void aBlockingWriterWaitsWhileTheUnsentQueueIsFull() throws Exception {
    connect(config().withReplayLimit(128 * 1024));
    Channel channel = open("bytes", ChannelFlavour.BYTES, 64 * MIB);
    byte[] big = new byte[Math.toIntExact(4 * Channel.MAX_UNSENT_BYTES)];
    CompletableFuture<Void> writing = new CompletableFuture<>();
    Thread writer = new Thread(() -> { // not the common pool: other tests may have left it busy
      try {
        channel.write(big, 0, big.length);
        writing.complete(null);
      } catch (Exception e) {
        writing.completeExceptionally(e);
      }
    }, "blocking writer");
    writer.setDaemon(true);
    writer.start();
    peer.expect(FrameType.DATA); // then no room in the replay buffer until the peer acknowledges
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (channel.unsentBytes() < Channel.MAX_UNSENT_BYTES && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // a bounded poll of the queue's size
    }
    assertTrue(channel.unsentBytes() >= Channel.MAX_UNSENT_BYTES, "the queue filled: " + channel.unsentBytes());
    assertTrue(channel.unsentBytes() <= Channel.MAX_UNSENT_BYTES + session.frameSize(),
        channel.unsentBytes() + " unsent");
    assertTrue(!writing.isDone(), "the writer waits for the queue to drain");
    long received = session.frameSize(); // the frame expected above
    while (received < big.length) { // the peer acknowledges what it has, reads the next, and so on
      peer.ack();
      received += peer.expect(FrameType.DATA).frame().payload.length;
    }
    writing.get(10, TimeUnit.SECONDS);
  }

  @Test
  void localOpensBeyondTheChannelLimitAreRefused() throws Exception {
    connect(config().withMaxChannels(2));
    session.openAsync("a", ChannelFlavour.BYTES, "");
    session.openAsync("b", ChannelFlavour.BYTES, "");
    ExecutionException thrown = assertThrows(ExecutionException.class,
        () -> session.openAsync("c", ChannelFlavour.BYTES, "").get(5, TimeUnit.SECONDS));
    ChannelOpenException refused = (ChannelOpenException) thrown.getCause();
    assertEquals(ErrorCode.CHANNEL_REFUSED, refused.code());
    assertTrue(refused.getMessage().contains("too many channels: 2 open"), refused.getMessage());
  }

  @Test
  void opensBeyondTheAcceptorLimitAreRefusedWhileAcceptorsAreBusy() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    connect(config().withMaxAcceptors(1).withAcceptor(request -> {
      entered.countDown();
      release.await();
      request.accept();
    }));
    peer.send(FrameType.OPEN, 2, Payloads.open(100, ChannelFlavour.BYTES, "slow", ""));
    assertTrue(entered.await(5, TimeUnit.SECONDS));
    peer.send(FrameType.OPEN, 4, Payloads.open(100, ChannelFlavour.BYTES, "slow", ""));
    Received fail = peer.expect(FrameType.OPEN_FAIL);
    assertEquals(4, fail.channel());
    assertEquals(ErrorCode.CHANNEL_REFUSED, fail.error().code());
    assertTrue(fail.error().reason().contains("waiting for the acceptor"), fail.error().reason());
    release.countDown();
    assertEquals(2, peer.expect(FrameType.OPEN_OK).channel());
  }

  @Test
  void aChannelOpenedWhenTheReceiveBudgetIsNearlySpentGetsWhatIsLeft() throws Exception {
    connect(config().withInitialWindow(MIB).withReceiveBudget(MIB + 128 * 1024));
    session.openAsync("a", ChannelFlavour.BYTES, "");
    assertEquals(MIB, Payloads.parseOpen(peer.expect(FrameType.OPEN).frame().payload).window());
    session.openAsync("b", ChannelFlavour.BYTES, "");
    assertEquals(128 * 1024, Payloads.parseOpen(peer.expect(FrameType.OPEN).frame().payload).window());
  }

  @Test
  void opensBeyondTheReceiveBudgetAreRefusedEitherWay() throws Exception {
    connect(config().withReceiveBudget(250).withAcceptor(OpenRequest::accept));
    open("a", ChannelFlavour.BYTES, 100);
    open("b", ChannelFlavour.BYTES, 100);
    ExecutionException thrown = assertThrows(ExecutionException.class,
        () -> session.openAsync("c", ChannelFlavour.BYTES, "").get(5, TimeUnit.SECONDS));
    assertTrue(thrown.getCause().getMessage().contains("receive budget spent"), thrown.getCause().getMessage());
    peer.send(FrameType.OPEN, 2, Payloads.open(100, ChannelFlavour.BYTES, "d", ""));
    Received fail = peer.expect(FrameType.OPEN_FAIL);
    assertTrue(fail.error().reason().contains("receive budget spent"), fail.error().reason());
  }

  @Test
  void aOneByteFrameSizeInThePeersHelloIsClampedToTheMinimum() throws Exception {
    connect(config(), 1, t -> t);
    Channel channel = open("bytes", ChannelFlavour.BYTES, 20_000);
    channel.write(new byte[10_000], 0, 10_000);
    assertEquals(SessionConfig.MIN_FRAME_SIZE, peer.expect(FrameType.DATA).frame().payload.length);
  }

  @Test
  void theNegotiatedFrameSizeStaysInTheDocumentedRange() {
    assertEquals(4096, Session.negotiatedFrameSize(32 * 1024, 1));
    assertEquals(32 * 1024, Session.negotiatedFrameSize(32 * 1024, -1)); // 4 GiB - 1 on the wire
    assertEquals(32 * 1024, Session.negotiatedFrameSize(32 * 1024, Integer.MIN_VALUE)); // 2 GiB
    assertEquals(16 * 1024, Session.negotiatedFrameSize(32 * 1024, 0)); // left out: the default
    assertEquals(20_000, Session.negotiatedFrameSize(32 * 1024, 20_000));
  }

  @Test
  void aGracefulGoawayLeavesWhatAlreadyArrivedReadable() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 100);
    peer.data(channel.id(), "last words".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    peer.send(FrameType.GOAWAY, 0, Payloads.error(ErrorCode.NO_ERROR, "done"));
    assertTrue(closed.await(5, TimeUnit.SECONDS));
    byte[] got = new byte[10];
    int n = 0;
    while (n < got.length) {
      n += channel.read(got, n, got.length - n);
    }
    assertEquals("last words", new String(got, java.nio.charset.StandardCharsets.UTF_8));
    SessionClosedException after = assertThrows(SessionClosedException.class, () -> channel.read(got, 0, 1));
    assertEquals(ErrorCode.NO_ERROR, after.code());
  }

  @Test
  void aGracefulCloseSendsWhatIsQueuedBeforeItsGoaway() throws Exception {
    GatedTransport[] gated = new GatedTransport[1];
    connect(config(), 32 * 1024, t -> gated[0] = new GatedTransport(t));
    Channel channel = open("bytes", ChannelFlavour.BYTES, 100);
    gated[0].closeGate();
    assertEquals(1, channel.tryWrite(new byte[] {1}, 0, 1)); // the writer takes it and waits at the gate
    assertTrue(gated[0].awaitBlockedWriter(5, TimeUnit.SECONDS));
    assertEquals(1, channel.tryWrite(new byte[] {2}, 0, 1)); // queued behind it
    session.close();
    gated[0].openGate();
    assertEquals(1, peer.expect(FrameType.DATA).frame().payload[0]);
    assertEquals(2, peer.expect(FrameType.DATA).frame().payload[0]);
    assertEquals(ErrorCode.NO_ERROR, peer.expect(FrameType.GOAWAY).error().code());
  }

  private static long allocatedBytes(long threadId) {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(threadId);
  }

  /** Waits (bounded) until the thread blocks waiting for more bytes. */
  private static void awaitParked(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(System.nanoTime() < deadline, "the reader never blocked: " + thread.getState());
      Thread.onSpinWait();
    }
  }
}
