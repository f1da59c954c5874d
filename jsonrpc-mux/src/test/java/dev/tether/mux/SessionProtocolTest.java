package dev.tether.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.internal.Bytes;
import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.testing.FakeScheduler;
import dev.tether.mux.testing.ScriptedPeer;
import dev.tether.mux.testing.ScriptedPeer.Received;
import dev.tether.mux.transport.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Protocol logic of one session against a scripted peer that sends exactly the frames each test
 * writes, on a fake clock. Each test names the behaviour it pins down.
 */
class SessionProtocolTest {
  private final FakeScheduler clock = new FakeScheduler();
  private final AtomicReference<String> closedReason = new AtomicReference<>();
  private final AtomicReference<String> detachedReason = new AtomicReference<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final CountDownLatch detached = new CountDownLatch(1);
  private ScriptedPeer peer;
  private Session session;

  private SessionConfig config() {
    return SessionConfig.defaults().withName("under-test").withScheduler(clock).withInitialWindow(100)
        .withListener(new SessionListener() {
          @Override
          public void onClosed(Session s, ErrorCode code, String reason) {
            closedReason.set(code + " " + reason);
            closed.countDown();
          }

          @Override
          public void onDetached(Session s, String reason) {
            detachedReason.set(reason);
            detached.countDown();
          }
        });
  }

  private void connect(SessionConfig config) throws Exception {
    InMemoryTransport.Link link = InMemoryTransport.pair();
    peer = new ScriptedPeer(link.acceptor());
    CompletableFuture<Session> connecting = CompletableFuture.supplyAsync(() -> {
      try {
        return Session.connect(link.initiator(), config);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    peer.acceptHandshake(32 * 1024);
    session = connecting.get(5, TimeUnit.SECONDS);
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
  void openCarriesKindFlavourMetadataAndOurWindow() throws Exception {
    connect(config());
    session.openAsync("lsp", ChannelFlavour.MESSAGES, "{\"server\":\"pylsp\"}");
    Received open = peer.expect(FrameType.OPEN);
    Payloads.Open payload = Payloads.parseOpen(open.frame().payload);
    assertEquals(1, open.channel());
    assertEquals("lsp", payload.kind());
    assertEquals(ChannelFlavour.MESSAGES, payload.flavour());
    assertEquals("{\"server\":\"pylsp\"}", payload.metadata());
    assertEquals(100, payload.window());
  }

  @Test
  void writerSendsOnlyWhatThePeerWindowAllowsThenWaitsForCredit() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 10);
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
      try {
        channel.write(new byte[25], 0, 25);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertEquals(10, peer.expect(FrameType.DATA).frame().payload.length);
    peer.expectQuiet(100);
    assertFalse(write.isDone());
    peer.credit(channel.id(), 15);
    assertEquals(15, peer.expect(FrameType.DATA).frame().payload.length);
    write.get(5, TimeUnit.SECONDS);
  }

  @Test
  void creditIsReturnedOnceHalfTheWindowHasBeenRead() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.data(channel.id(), new byte[60]);
    byte[] buffer = new byte[40];
    assertEquals(40, channel.read(buffer, 0, 40));
    peer.expectQuiet(100);
    assertEquals(20, channel.read(buffer, 0, 20));
    Received credit = peer.expect(FrameType.CREDIT);
    assertEquals(60, Payloads.parseCredit(credit.frame().payload));
  }

  @Test
  void windowOverrunResetsOnlyThatChannel() throws Exception {
    connect(config());
    Channel greedy = open("bytes", ChannelFlavour.BYTES, 1000);
    Channel other = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.data(greedy.id(), new byte[101]);
    Received reset = peer.expect(FrameType.RESET);
    assertEquals(greedy.id(), reset.channel());
    assertEquals(ErrorCode.FLOW_CONTROL_ERROR, reset.error().code());
    assertTrue(reset.error().reason().contains("101 bytes"), reset.error().reason());
    ChannelResetException thrown = assertThrows(ChannelResetException.class, () -> greedy.read(new byte[1], 0, 1));
    assertEquals(ErrorCode.FLOW_CONTROL_ERROR, thrown.code());
    peer.data(other.id(), "still fine".getBytes(StandardCharsets.UTF_8));
    byte[] buffer = new byte[10];
    assertEquals(10, other.read(buffer, 0, 10));
    assertEquals(Session.State.ATTACHED, session.state());
  }

  @Test
  void dataForANeverOpenedChannelIsAnsweredWithReset() throws Exception {
    connect(config());
    peer.data(41, new byte[3]);
    Received reset = peer.expect(FrameType.RESET);
    assertEquals(41, reset.channel());
    assertEquals(ErrorCode.UNKNOWN_CHANNEL, reset.error().code());
    assertTrue(reset.error().reason().contains("never opened"), reset.error().reason());
    assertEquals(Session.State.ATTACHED, session.state());
  }

  @Test
  void refusedDataGivesItsPooledPayloadArrayBack() throws Exception {
    connect(config());
    byte[] fullFrame = new byte[session.frameSize()]; // read into an array from the pool
    peer.data(41, fullFrame);
    assertEquals(ErrorCode.UNKNOWN_CHANNEL, peer.expect(FrameType.RESET).error().code());
    assertEquals(1, session.payloads().pooled(), "DATA for an unknown channel returned its array");
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000); // our window: 100 bytes
    peer.data(channel.id(), fullFrame);
    assertEquals(ErrorCode.FLOW_CONTROL_ERROR, peer.expect(FrameType.RESET).error().code());
    assertEquals(1, session.payloads().reusedCount(), "the second frame was read into the returned array");
    assertEquals(1, session.payloads().pooled(), "DATA beyond the window returned its array");
    assertEquals(Session.State.ATTACHED, session.state());
  }

  @Test
  void openOkForAChannelNobodyOpenedIsAnsweredWithReset() throws Exception {
    connect(config());
    peer.openOk(7, 100);
    Received reset = peer.expect(FrameType.RESET);
    assertEquals(7, reset.channel());
    assertEquals(ErrorCode.UNKNOWN_CHANNEL, reset.error().code());
  }

  @Test
  void lateFramesForAChannelWeResetAreDroppedQuietly() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    channel.reset(ErrorCode.CANCELLED, "user closed the terminal");
    Received reset = peer.expect(FrameType.RESET);
    assertEquals("user closed the terminal", reset.error().reason());
    peer.data(channel.id(), new byte[5]);
    peer.credit(channel.id(), 5);
    peer.expectQuiet(150);
    assertEquals(Session.State.ATTACHED, session.state());
  }

  @Test
  void bytesDroppedAfterTheReaderClosedAreCreditedAtOnce() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.data(channel.id(), new byte[30]);
    channel.closeInput();
    assertEquals(30, Payloads.parseCredit(peer.expect(FrameType.CREDIT).frame().payload));
    peer.data(channel.id(), new byte[70]);
    assertEquals(70, Payloads.parseCredit(peer.expect(FrameType.CREDIT).frame().payload));
    assertEquals(-1, channel.read(new byte[1], 0, 1));
  }

  @Test
  void malformedCreditResetsTheChannelNotTheSession() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.send(FrameType.CREDIT, channel.id(), new byte[3]);
    Received reset = peer.expect(FrameType.RESET);
    assertEquals(ErrorCode.PROTOCOL_ERROR, reset.error().code());
    assertTrue(reset.error().reason().contains("malformed CREDIT"), reset.error().reason());
    assertEquals(Session.State.ATTACHED, session.state());
  }

  @Test
  void aSequenceGapClosesTheSessionWithTheReason() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.skipSeq();
    peer.data(channel.id(), new byte[1]);
    Received goaway = peer.expect(FrameType.GOAWAY);
    assertEquals(ErrorCode.PROTOCOL_ERROR, goaway.error().code());
    assertTrue(goaway.error().reason().contains("sequence gap"), goaway.error().reason());
    SessionClosedException thrown = assertThrows(SessionClosedException.class, () -> channel.read(new byte[1], 0, 1));
    assertTrue(thrown.getMessage().contains("sequence gap"));
    assertTrue(closed.await(5, TimeUnit.SECONDS));
  }

  @Test
  void anOversizedFrameClosesTheSession() throws Exception {
    connect(config());
    byte[] header = new byte[Frame.HEADER_SIZE];
    header[0] = (byte) FrameType.DATA.code;
    Bytes.putInt(header, 2, 1);
    Bytes.putInt(header, 6, 40 * 1024 * 1024);
    Bytes.putLong(header, 10, 1);
    peer.sendBytes(header);
    Received goaway = peer.expect(FrameType.GOAWAY);
    assertEquals(ErrorCode.FRAME_TOO_LARGE, goaway.error().code());
    assertTrue(peer.awaitEnd(5, TimeUnit.SECONDS));
  }

  @Test
  void anUnknownFrameTypeClosesTheSession() throws Exception {
    connect(config());
    byte[] header = new byte[Frame.HEADER_SIZE];
    header[0] = 0x7f;
    Bytes.putInt(header, 2, 1);
    peer.sendBytes(header);
    Received goaway = peer.expect(FrameType.GOAWAY);
    assertTrue(goaway.error().reason().contains("unknown frame type 0x7f"), goaway.error().reason());
  }

  @Test
  void aDuplicateSequenceNumberIsDroppedNotDeliveredTwice() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    long seq = peer.nextSeq();
    peer.data(channel.id(), new byte[] {1});
    peer.sendRaw(Frame.received(FrameType.DATA, 0, channel.id(), seq, new byte[] {9}), 0);
    peer.data(channel.id(), new byte[] {2});
    byte[] got = new byte[2];
    assertEquals(2, readFully(channel, got));
    assertArrayEquals(new byte[] {1, 2}, got);
  }

  @Test
  void pingIsAnsweredWithTheSamePayload() throws Exception {
    connect(config());
    peer.send(FrameType.PING, 0, Payloads.ping(12345));
    Received pong = peer.expect(FrameType.PONG);
    assertEquals(12345, Payloads.parsePing(pong.frame().payload));
  }

  @Test
  void keepalivePingsAtTheIntervalAndMeasuresRtt() throws Exception {
    connect(config());
    clock.advance(Duration.ofSeconds(10));
    Received ping = nextOfType(FrameType.PING);
    clock.advance(Duration.ofMillis(7));
    peer.send(FrameType.PONG, 0, ping.frame().payload);
    peer.send(FrameType.PING, 0, Payloads.ping(1)); // a round trip proves the PONG was handled
    peer.expect(FrameType.PONG);
    assertEquals(Duration.ofMillis(7).toNanos(), session.rttNanos());
  }

  @Test
  void aStandaloneAckFollowsAShortQuietPeriod() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.data(channel.id(), new byte[1]);
    channel.read(new byte[1], 0, 1);
    assertNull(peer.next(100, TimeUnit.MILLISECONDS), "no ack before the delay");
    clock.advance(Duration.ofMillis(20));
    Received ack = nextOfType(FrameType.ACK);
    assertEquals(2, ack.ack()); // OPEN_OK and DATA
  }

  @Test
  void aSilentPeerIsDeclaredDeadAndTheSessionDetaches() throws Exception {
    connect(config());
    for (int i = 0; i < 31; i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    assertTrue(detached.await(5, TimeUnit.SECONDS));
    assertTrue(detachedReason.get().contains("no answer from the peer"), detachedReason.get());
    assertEquals(Session.State.DETACHED, session.state());
  }

  @Test
  void ourOwnStallIsNotMistakenForADeadPeer() throws Exception {
    connect(config());
    clock.advance(Duration.ofSeconds(10)); // a ping is now outstanding
    nextOfType(FrameType.PING);
    clock.jump(Duration.ofSeconds(60)); // this process froze: no tick ran
    clock.advance(Duration.ofSeconds(1)); // the late tick notices the stall at t=70 s
    assertEquals(Session.State.ATTACHED, session.state());
    for (int i = 0; i < 18; i++) { // up to t=89 s: within the grace that ends at t=90 s
      clock.advance(Duration.ofSeconds(1));
    }
    assertEquals(Session.State.ATTACHED, session.state(), "grace lasts one full timeout");
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    assertTrue(detached.await(5, TimeUnit.SECONDS), "still silent after the grace: dead");
  }

  @Test
  void aDetachedSessionExpires() throws Exception {
    connect(config().withDetachedTimeout(Duration.ofSeconds(30)));
    peer.close();
    assertTrue(detached.await(5, TimeUnit.SECONDS));
    for (int i = 0; i < 31; i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    assertTrue(closed.await(5, TimeUnit.SECONDS));
    assertTrue(closedReason.get().startsWith("SESSION_EXPIRED"), closedReason.get());
  }

  @Test
  void anOversizedMessageResetsItsChannel() throws Exception {
    connect(config().withMaxMessageSize(50));
    Channel channel = open("lsp", ChannelFlavour.MESSAGES, 1000);
    byte[] prefix = new byte[4];
    Bytes.putInt(prefix, 0, 80);
    peer.data(channel.id(), prefix);
    ChannelResetException thrown = assertThrows(ChannelResetException.class, channel::readMessage);
    assertEquals(ErrorCode.MESSAGE_TOO_LARGE, thrown.code());
    Received reset = peer.expect(FrameType.RESET);
    assertEquals(ErrorCode.MESSAGE_TOO_LARGE, reset.error().code());
    assertTrue(reset.error().reason().contains("80 bytes"), reset.error().reason());
  }

  @Test
  void messagesArriveWholeWhateverTheFraming() throws Exception {
    connect(config().withInitialWindow(1000));
    Channel channel = open("lsp", ChannelFlavour.MESSAGES, 1000);
    byte[] one = ScriptedPeer.messageBytes("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    byte[] two = ScriptedPeer.messageBytes("{\"b\":2}".getBytes(StandardCharsets.UTF_8));
    byte[] both = new byte[one.length + two.length];
    System.arraycopy(one, 0, both, 0, one.length);
    System.arraycopy(two, 0, both, one.length, two.length);
    peer.data(channel.id(), java.util.Arrays.copyOfRange(both, 0, 3));
    peer.data(channel.id(), java.util.Arrays.copyOfRange(both, 3, both.length));
    assertEquals("{\"a\":1}", new String(channel.readMessage(), StandardCharsets.UTF_8));
    assertEquals("{\"b\":2}", new String(channel.readMessage(), StandardCharsets.UTF_8));
  }

  @Test
  void anOpenWithTheWrongParityIsReset() throws Exception {
    connect(config());
    peer.send(FrameType.OPEN, 3, Payloads.open(100, ChannelFlavour.BYTES, "x", ""));
    Received reset = peer.expect(FrameType.RESET);
    assertEquals(3, reset.channel());
    assertTrue(reset.error().reason().contains("wrong parity"), reset.error().reason());
  }

  @Test
  void thePeersOpenReachesTheAcceptorAndItsAnswerGoesBack() throws Exception {
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    connect(config().withAcceptor(request -> {
      if (request.kind().equals("echo")) {
        accepted.complete(request.accept("{\"pid\":7}"));
      } else {
        request.reject(ErrorCode.CHANNEL_REFUSED, "unknown kind '" + request.kind() + "'");
      }
    }));
    peer.send(FrameType.OPEN, 2, Payloads.open(100, ChannelFlavour.BYTES, "echo", "{}"));
    Received ok = peer.expect(FrameType.OPEN_OK);
    assertEquals("{\"pid\":7}", Payloads.parseOpenOk(ok.frame().payload).metadata());
    accepted.get(5, TimeUnit.SECONDS).write("hey".getBytes(StandardCharsets.UTF_8), 0, 3);
    assertArrayEquals("hey".getBytes(StandardCharsets.UTF_8), peer.expect(FrameType.DATA).frame().payload);
    peer.send(FrameType.OPEN, 4, Payloads.open(100, ChannelFlavour.BYTES, "nope", "{}"));
    Received fail = peer.expect(FrameType.OPEN_FAIL);
    assertEquals("unknown kind 'nope'", fail.error().reason());
  }

  @Test
  void openFailReachesTheOpenerWithTheReason() throws Exception {
    connect(config());
    CompletableFuture<Channel> opening = session.openAsync("lsp", ChannelFlavour.MESSAGES, "{}");
    Received open = peer.expect(FrameType.OPEN);
    peer.send(FrameType.OPEN_FAIL, open.channel(), Payloads.error(ErrorCode.CHANNEL_REFUSED, "unknown server 'pyls'"));
    Exception thrown = assertThrows(Exception.class, () -> opening.get(5, TimeUnit.SECONDS));
    assertTrue(thrown.getCause() instanceof ChannelOpenException);
    assertEquals("unknown server 'pyls'", thrown.getCause().getMessage());
  }

  @Test
  void halfCloseIsQueuedBehindTheChannelsData() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    channel.write(new byte[5], 0, 5);
    channel.halfClose();
    assertEquals(FrameType.DATA, peer.expect().type());
    assertEquals(FrameType.HALF_CLOSE, peer.expect().type());
    assertThrows(java.io.IOException.class, () -> channel.write(new byte[1], 0, 1));
  }

  @Test
  void peerHalfCloseIsEndOfStreamAfterTheBufferedBytes() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.data(channel.id(), new byte[] {1, 2});
    peer.send(FrameType.HALF_CLOSE, channel.id(), Frame.EMPTY);
    byte[] got = new byte[2];
    assertEquals(2, readFully(channel, got));
    assertEquals(-1, channel.read(got, 0, 1));
  }

  @Test
  void goawayFromThePeerFailsEveryChannelWithItsReason() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 1000);
    peer.send(FrameType.GOAWAY, 0, Payloads.error(ErrorCode.NO_ERROR, "agent shutting down"));
    SessionClosedException thrown = assertThrows(SessionClosedException.class, () -> channel.read(new byte[1], 0, 1));
    assertEquals("agent shutting down", thrown.getMessage());
    assertTrue(closed.await(5, TimeUnit.SECONDS));
    assertEquals("NO_ERROR agent shutting down", closedReason.get());
  }

  @Test
  void aPeerThatNeverAcknowledgesOverflowsTheReplayBufferAndTheSessionSaysSo() throws Exception {
    connect(config().withReplayLimit(128 * 1024));
    for (int i = 0; i < 5000 && session.state() != Session.State.CLOSED; i++) {
      session.openAsync("k", ChannelFlavour.BYTES, "");
    }
    assertTrue(closed.await(5, TimeUnit.SECONDS));
    assertTrue(closedReason.get().startsWith("REPLAY_OVERFLOW"), closedReason.get());
    assertTrue(closedReason.get().contains("stopped acknowledging"), closedReason.get());
  }

  @Test
  void readinessCallbacksLetAnAsynchronousCallerAvoidBlocking() throws Exception {
    connect(config());
    Channel channel = open("bytes", ChannelFlavour.BYTES, 10);
    CountDownLatch readable = new CountDownLatch(1);
    CountDownLatch writable = new CountDownLatch(1);
    channel.onReadable(readable::countDown);
    channel.onWritable(writable::countDown);
    assertEquals(0, channel.readNow(new byte[4], 0, 4), "nothing buffered yet: no blocking, no bytes");
    peer.data(channel.id(), new byte[] {7, 8});
    assertTrue(readable.await(5, TimeUnit.SECONDS));
    byte[] got = new byte[4];
    assertEquals(2, channel.readNow(got, 0, 4));
    assertEquals(10, channel.tryWrite(new byte[15], 0, 15), "takes only what the window allows");
    assertEquals(0, channel.tryWrite(new byte[5], 0, 5), "empty window: returns at once with 0");
    assertEquals(10, peer.expect(FrameType.DATA).frame().payload.length);
    assertEquals(1, writable.getCount(), "not signalled while the window stays empty");
    peer.credit(channel.id(), 5);
    assertTrue(writable.await(5, TimeUnit.SECONDS), "signalled when credit reopens the window");
    assertEquals(5, channel.tryWrite(new byte[5], 0, 5));
  }

  private Received nextOfType(FrameType type) throws InterruptedException {
    while (true) {
      Received next = peer.next(5, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("no " + type + " within 5 s");
      }
      if (next.type() == type) {
        return next;
      }
    }
  }

  private static int readFully(Channel channel, byte[] into) throws Exception {
    int done = 0;
    while (done < into.length) {
      int n = channel.read(into, done, into.length - done);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }
}
