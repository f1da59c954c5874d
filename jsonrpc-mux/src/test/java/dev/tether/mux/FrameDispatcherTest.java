package dev.tether.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.internal.ChannelProtocolException;
import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.Liveness;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.internal.SessionProtocolException;
import dev.tether.mux.testing.FakeScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each inbound frame does, and which scope its errors take: the dispatcher alone, on the initiator's
 * side, with a channel table, a recording session and the fake clock; no threads, no transport.
 */
class FrameDispatcherTest {
  private static final int WINDOW = 1000;
  private final FakeScheduler clock = new FakeScheduler();
  private final ReentrantLock lock = new ReentrantLock();
  private final ChannelTable table = new ChannelTable(true, 3, 10 * WINDOW, WINDOW);
  private final RecordingSession session = new RecordingSession();
  private final FrameDispatcher dispatcher = new FrameDispatcher("test", table, session);
  private final List<Runnable> callbacks = new ArrayList<>();

  /** Records what the dispatcher asked for; PONGs go to a real {@link Liveness} on the fake clock. */
  private final class RecordingSession implements FrameDispatcher.Actions {
    final List<Frame> control = new ArrayList<>();
    final List<Channel> accepting = new ArrayList<>();
    final List<Channel> forgotten = new ArrayList<>();
    final Liveness liveness = new Liveness(Duration.ofSeconds(1).toNanos(), Duration.ofSeconds(5).toNanos(),
        Duration.ofSeconds(20).toNanos(), clock.nanoTime());
    String acceptorRefusal;
    ErrorCode closedWith;
    String closedBecause;

    @Override
    public void queueControlLocked(Frame frame) {
      control.add(frame);
    }

    @Override
    public String acceptorRefusalLocked() {
      return acceptorRefusal;
    }

    @Override
    public Channel newPeerChannelLocked(int id, Payloads.Open open, int window) {
      return new Channel(null, lock, id, open.kind(), open.flavour(), open.metadata(), window, open.window(),
          Channel.State.PENDING);
    }

    @Override
    public void startAcceptorLocked(Channel channel) {
      accepting.add(channel);
    }

    @Override
    public void forgetLocked(Channel channel) {
      forgotten.add(channel);
    }

    @Override
    public void pongLocked(long payload) {
      liveness.pong(payload, clock.nanoTime());
    }

    @Override
    public void peerClosedLocked(ErrorCode code, String reason) {
      closedWith = code;
      closedBecause = reason;
    }

    @Override
    public void logLater(Runnable line) {
      // not run: the dispatcher's log lines are not what these tests check
    }
  }

  @BeforeEach
  void holdTheSessionLock() {
    lock.lock(); // the dispatcher's contract: every call under the session lock
  }

  @AfterEach
  void release() {
    lock.unlock();
  }

  private Channel open(Channel.State state) {
    int id = table.takeLocalId();
    Channel channel = new Channel(null, lock, id, "test", ChannelFlavour.BYTES, "", WINDOW, 0, state);
    table.put(channel);
    return channel;
  }

  private boolean dispatch(Frame frame) throws Exception {
    return dispatcher.dispatchLocked(frame, callbacks);
  }

  private static Frame peerOpen(int id) {
    return new Frame(FrameType.OPEN, id, Payloads.open(4096, ChannelFlavour.BYTES, "exec", "{}"));
  }

  @Test
  void peerOpenMakesAPendingChannelAndHandsItToTheAcceptor() throws Exception {
    assertFalse(dispatch(peerOpen(2)));
    Channel channel = table.get(2);
    assertEquals(Channel.State.PENDING, channel.state);
    assertEquals("exec", channel.kind());
    assertEquals(WINDOW, channel.receiveWindowSize());
    assertEquals(List.of(channel), session.accepting);
    assertEquals(List.of(), session.control);
  }

  @Test
  void peerOpenWithOurParityOrAReusedIdIsAChannelError() throws Exception {
    ChannelProtocolException parity = assertThrows(ChannelProtocolException.class, () -> dispatch(peerOpen(3)));
    assertEquals(3, parity.channel);
    assertEquals(ErrorCode.PROTOCOL_ERROR, parity.code);
    assertTrue(parity.getMessage().contains("wrong parity"), parity.getMessage());
    dispatch(peerOpen(4));
    ChannelProtocolException reused = assertThrows(ChannelProtocolException.class, () -> dispatch(peerOpen(4)));
    assertTrue(reused.getMessage().contains("ids must increase"), reused.getMessage());
    assertNull(table.get(3));
  }

  @Test
  void peerOpenOverTheChannelLimitIsRefusedWithOpenFailAndTheSessionGoesOn() throws Exception {
    open(Channel.State.OPEN);
    open(Channel.State.OPEN);
    open(Channel.State.OPEN);
    dispatch(peerOpen(2));
    assertNull(table.get(2));
    assertEquals(List.of(), session.accepting);
    Frame refusal = session.control.get(0);
    assertEquals(FrameType.OPEN_FAIL, refusal.type);
    assertEquals(2, refusal.channel);
    assertEquals(ErrorCode.CHANNEL_REFUSED, Payloads.parseError(refusal.payload).code());
    assertTrue(Payloads.parseError(refusal.payload).reason().contains("too many channels"));
  }

  @Test
  void peerOpenWhileTheAcceptorsAreBusyIsRefusedWithTheirReason() throws Exception {
    session.acceptorRefusal = "too many channels waiting for the acceptor";
    dispatch(peerOpen(2));
    assertEquals("too many channels waiting for the acceptor",
        Payloads.parseError(session.control.get(0).payload).reason());
    assertNull(table.get(2));
  }

  @Test
  void openOkOpensOurChannelAndCompletesItsFutureAfterTheLock() throws Exception {
    Channel channel = open(Channel.State.OPENING);
    dispatch(new Frame(FrameType.OPEN_OK, channel.id(), Payloads.openOk(500, "meta")));
    assertEquals(Channel.State.OPEN, channel.state);
    assertFalse(channel.openFuture().isDone()); // callbacks run after the session unlocks
    callbacks.forEach(Runnable::run);
    assertSame(channel, channel.openFuture().getNow(null));
  }

  @Test
  void openFailFailsOurOpenWithThePeersReason() throws Exception {
    Channel channel = open(Channel.State.OPENING);
    dispatch(new Frame(FrameType.OPEN_FAIL, channel.id(), Payloads.error(ErrorCode.CHANNEL_REFUSED, "no")));
    assertNull(table.get(channel.id()));
    assertTrue(channel.openFuture().isCompletedExceptionally());
  }

  @Test
  void dataWithinTheWindowIsTakenByTheChannel() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    assertTrue(dispatch(new Frame(FrameType.DATA, channel.id(), new byte[WINDOW])));
    assertEquals(0, channel.windowAvailableLocked());
  }

  @Test
  void dataBeyondTheWindowIsAFlowControlErrorOfThatChannel() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    ChannelProtocolException e = assertThrows(ChannelProtocolException.class,
        () -> dispatch(new Frame(FrameType.DATA, channel.id(), new byte[WINDOW + 1])));
    assertEquals(channel.id(), e.channel);
    assertEquals(ErrorCode.FLOW_CONTROL_ERROR, e.code);
  }

  @Test
  void dataAfterHalfCloseIsAChannelError() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    dispatch(new Frame(FrameType.HALF_CLOSE, channel.id(), Frame.EMPTY));
    ChannelProtocolException e = assertThrows(ChannelProtocolException.class,
        () -> dispatch(new Frame(FrameType.DATA, channel.id(), new byte[1])));
    assertTrue(e.getMessage().contains("DATA after HALF_CLOSE"), e.getMessage());
  }

  @Test
  void framesForANeverOpenedChannelAreUnknownChannelErrorsOfThatChannel() {
    ChannelProtocolException e = assertThrows(ChannelProtocolException.class,
        () -> dispatch(new Frame(FrameType.DATA, 7, new byte[1])));
    assertEquals(7, e.channel);
    assertEquals(ErrorCode.UNKNOWN_CHANNEL, e.code);
    assertTrue(e.getMessage().contains("never opened"), e.getMessage());
  }

  @Test
  void lateFramesForAChannelWeResetAreDroppedQuietly() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    table.remove(channel.id());
    table.rememberReset(channel.id());
    assertFalse(dispatch(new Frame(FrameType.DATA, channel.id(), new byte[1])));
    dispatch(new Frame(FrameType.CREDIT, channel.id(), Payloads.credit(10)));
    assertEquals(List.of(), session.control);
  }

  @Test
  void creditForAChannelClosedCleanlyIsHarmlessButDataIsNot() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    table.remove(channel.id());
    dispatch(new Frame(FrameType.CREDIT, channel.id(), Payloads.credit(10)));
    ChannelProtocolException e = assertThrows(ChannelProtocolException.class,
        () -> dispatch(new Frame(FrameType.DATA, channel.id(), new byte[1])));
    assertTrue(e.getMessage().contains("which is closed"), e.getMessage());
  }

  @Test
  void aMalformedChannelFrameIsAChannelErrorAndAMalformedSessionFrameASessionError() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    ChannelProtocolException credit = assertThrows(ChannelProtocolException.class,
        () -> dispatch(new Frame(FrameType.CREDIT, channel.id(), new byte[1])));
    assertEquals(ErrorCode.PROTOCOL_ERROR, credit.code);
    assertTrue(credit.getMessage().startsWith("malformed CREDIT"), credit.getMessage());
    SessionProtocolException ping = assertThrows(SessionProtocolException.class,
        () -> dispatch(new Frame(FrameType.PING, 0, new byte[3])));
    assertTrue(ping.getMessage().startsWith("malformed PING"), ping.getMessage());
    assertThrows(SessionProtocolException.class, () -> dispatch(new Frame(FrameType.GOAWAY, 0, new byte[1])));
    assertNull(session.closedWith);
  }

  @Test
  void creditOverflowingTheSendWindowIsAFlowControlErrorOfThatChannel() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    dispatch(new Frame(FrameType.CREDIT, channel.id(), Payloads.credit(Integer.MAX_VALUE)));
    ChannelProtocolException e = assertThrows(ChannelProtocolException.class,
        () -> dispatch(new Frame(FrameType.CREDIT, channel.id(), Payloads.credit(Integer.MAX_VALUE))));
    assertEquals(ErrorCode.FLOW_CONTROL_ERROR, e.code);
  }

  @Test
  void resetByThePeerFailsTheChannelAndDropsItsUnsentFrames() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    dispatch(new Frame(FrameType.RESET, channel.id(), Payloads.error(ErrorCode.CANCELLED, "bye")));
    assertNull(table.get(channel.id()));
    assertEquals(List.of(channel), session.forgotten);
    ChannelResetException reset = assertInstanceOf(ChannelResetException.class, channel.failure());
    assertEquals(ErrorCode.CANCELLED, reset.code());
  }

  @Test
  void halfCloseFromBothSidesRemovesTheChannelCleanly() throws Exception {
    Channel channel = open(Channel.State.OPEN);
    channel.outputClosed = true;
    dispatch(new Frame(FrameType.HALF_CLOSE, channel.id(), Frame.EMPTY));
    assertNull(table.get(channel.id()));
    assertNull(channel.failure());
    assertTrue(table.knownClosed(channel.id()));
  }

  @Test
  void pingIsAnsweredWithItsPayloadAndPongMeasuresTheRoundTripOnTheClock() throws Exception {
    byte[] ping = Payloads.ping(42);
    dispatch(new Frame(FrameType.PING, 0, ping));
    assertEquals(FrameType.PONG, session.control.get(0).type);
    assertSame(ping, session.control.get(0).payload);
    long sent = clock.nanoTime();
    clock.advance(Duration.ofMillis(30));
    dispatch(new Frame(FrameType.PONG, 0, Payloads.ping(sent)));
    assertEquals(TimeUnit.MILLISECONDS.toNanos(30), session.liveness.rttNanos());
  }

  @Test
  void goawayClosesTheSessionWithThePeersCodeAndReason() throws Exception {
    dispatch(new Frame(FrameType.GOAWAY, 0, Payloads.error(ErrorCode.NO_ERROR, "done")));
    assertEquals(ErrorCode.NO_ERROR, session.closedWith);
    assertEquals("done", session.closedBecause);
  }
}
