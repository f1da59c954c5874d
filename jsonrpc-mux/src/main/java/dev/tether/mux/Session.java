package dev.tether.mux;

import dev.tether.mux.internal.AckPolicy;
import dev.tether.mux.internal.ChannelProtocolException;
import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameLog;
import dev.tether.mux.internal.FrameReader;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.Liveness;
import dev.tether.mux.internal.Hello;
import dev.tether.mux.internal.PayloadPool;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.internal.ReplayBuffer;
import dev.tether.mux.internal.SerialExecutor;
import dev.tether.mux.internal.SessionProtocolException;
import dev.tether.mux.transport.Transport;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multiplexed, resumable session over a byte-stream {@link Transport}: the owner of the channel
 * map, the replay buffer and the transport. It reads top to bottom: creating and resuming, opening
 * channels, the writer's source, the reader and its error scopes, timers, closing. The decisions live
 * in parts it calls under its lock, each a plain class tested without threads: {@link OutboundScheduler}
 * (what is sent next: queues, round robin, in-flight budget), {@link SessionWriter} (who writes: the
 * write token, the write loop, flushing, the last words), {@link AckPolicy} (sequence numbers in, when
 * an ACK is owed), {@link Liveness} (PING, RTT, the dead-peer rule), {@link ReplayBuffer},
 * {@link ChannelTable} (channels by id, id rules, open limits) and {@link FrameDispatcher} (what each
 * inbound frame does). The dispatcher signals a channel-scoped error by throwing
 * {@link ChannelProtocolException} and a session-scoped one by throwing {@link SessionProtocolException};
 * {@code protocolErrorLocked} is the one place that turns the first into a RESET and the second into a
 * GOAWAY and close.
 *
 * <p>Threading: one lock guards all session and channel state and is never held during I/O, logging
 * (lines are handed to the serial event executor) or a transport's close (done on a worker thread or
 * by the writer). The transport's output belongs to whoever holds the write token (see
 * {@link SessionWriter}): the session's writer thread, which lives as long as the session and sends
 * queued frames in fair order, or an application thread that found the writer idle and nothing queued
 * and writes its own DATA frame (see {@link #enqueueData}). One reader thread per attached transport
 * parses frames, never blocks on a channel (DATA is buffered up to the window this side granted) and
 * never writes. Application threads read and write channels; acceptor and listener callbacks run on
 * worker threads.
 */
public final class Session implements Closeable {
  /** Where a session is in its life. */
  public enum State { ATTACHED, DETACHED, CLOSED }

  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  private static final long GOAWAY_GRACE_MILLIS = 2000;
  /** At 32 KiB frames, 2 MiB of arrays kept for reuse: enough for a steady transfer in each direction. */
  private static final int PAYLOAD_POOL_ARRAYS = 64;
  /** A hello that leaves the frame size out means 16 KiB (PROTOCOL.md §4). */
  private static final int DEFAULT_PEER_FRAME_SIZE = 16 * 1024;
  /** A peer's replay limit below this would make this side acknowledge nearly every frame. */
  private static final long MIN_PEER_REPLAY_LIMIT = 128 * 1024;
  /** How long after the last small message (or full frame) the traffic still counts as mixed. */
  private static final long MIXED_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  final ReentrantLock lock = new ReentrantLock();
  private final SessionConfig config;
  private final Scheduler scheduler;
  private final boolean initiator;
  private final byte[] sessionId;
  private final byte[] resumeToken;
  private final boolean resumable;
  private final int frameSize;
  private final long peerReplayLimit;
  private final String peerAgent;
  private final FrameLog frameLog;
  private final SerialExecutor events;
  /** Full-frame DATA payload arrays, reused for outbound (until acknowledged) and inbound (until read). */
  private final PayloadPool payloads;

  // Guarded by lock.
  private State state = State.ATTACHED;
  private Transport transport;
  private int generation;
  private final ChannelTable channels;
  private int acceptorsRunning;
  private final ReplayBuffer replay;
  private final AckPolicy acks;
  private Scheduler.Cancellable ackTimer;
  private Scheduler.Cancellable tickTimer;
  private final Liveness liveness;
  private long detachedSinceNanos;
  private long wireBytesIn;
  private long wireBytesOut;
  private ErrorCode closeCode;
  private String closeReason;
  private Frame goaway;
  private final OutboundScheduler outbound;
  /** Owns the write token and the transport's output; see {@link SessionWriter}. */
  private final SessionWriter writer;
  /** Handles inbound frames; see {@link FrameDispatcher}. */
  private final FrameDispatcher dispatcher;

  private Session(SessionConfig config, boolean initiator, Hello peer, byte[] sessionId, byte[] resumeToken,
      Set<String> capabilities) {
    this.config = config;
    this.scheduler = config.scheduler();
    this.initiator = initiator;
    this.sessionId = sessionId;
    this.resumeToken = resumeToken;
    this.resumable = capabilities.contains(SessionConfig.CAP_RESUME);
    this.frameSize = negotiatedFrameSize(config.maxFrameSize(), peer.maxFrameSize());
    this.peerReplayLimit = peer.replayLimit() > 0 ? Math.max(MIN_PEER_REPLAY_LIMIT, peer.replayLimit())
        : config.replayLimit();
    this.peerAgent = peer.agent();
    this.payloads = new PayloadPool(frameSize, PAYLOAD_POOL_ARRAYS);
    this.replay = new ReplayBuffer(config.replayLimit(), payloads);
    this.outbound = new OutboundScheduler(replay, frameSize, MIXED_WINDOW_NANOS, config.maxControlQueue());
    this.acks = new AckPolicy(peerReplayLimit, frameSize, MIXED_WINDOW_NANOS);
    this.liveness = new Liveness(config.tickInterval().toNanos(), config.pingInterval().toNanos(),
        config.deadPeerTimeout().toNanos(), scheduler.nanoTime());
    this.channels = new ChannelTable(initiator, config.maxChannels(), config.receiveBudget(), config.initialWindow());
    this.dispatcher = new FrameDispatcher(config.name(), channels, new DispatcherActions());
    this.frameLog = new FrameLog(config.name());
    this.events = new SerialExecutor(Workers.shared());
    this.writer = new SessionWriter(lock, scheduler, new WriterSource(), frameLog);
  }

  // ---- creating and resuming ------------------------------------------------------------------

  /**
   * Starts a new session as the initiator: sends the hello, reads the acceptor's, and returns the
   * attached session.
   *
   * @throws MuxException when the acceptor refuses (version mismatch, ...) or is not a Tether agent
   */
  public static Session connect(Transport transport, SessionConfig config) throws IOException {
    Hello mine = hello(config, null, null, -1);
    Hello theirs = Handshake.initiate(transport, mine, config);
    Set<String> capabilities = Handshake.intersect(config.capabilities(), theirs.capabilities());
    Session session = new Session(config, true, theirs, theirs.sessionId(), theirs.resumeToken(), capabilities);
    session.start(transport);
    return session;
  }

  /** Called by {@link SessionRegistry} for a fresh session on the acceptor side. */
  static Session accepted(Transport transport, SessionConfig config, Hello theirs, byte[] id, byte[] token)
      throws IOException {
    Set<String> capabilities = Handshake.intersect(config.capabilities(), theirs.capabilities());
    hello(config, id, token, -1).writeTo(transport.output());
    Session session = new Session(config, false, theirs, id, token, capabilities);
    session.start(transport);
    return session;
  }

  /**
   * The smaller of the two sides' maximum frame sizes, clamped to {@link SessionConfig#MIN_FRAME_SIZE}..
   * {@link SessionConfig#MAX_FRAME_SIZE}: a peer announcing 1 byte (or 4 GiB, which reads as a
   * negative int) cannot make this side send absurd frames.
   */
  static int negotiatedFrameSize(int ours, int theirs) {
    long peer = theirs == 0 ? DEFAULT_PEER_FRAME_SIZE : theirs & 0xFFFFFFFFL;
    long size = Math.min(ours, peer);
    return (int) Math.max(SessionConfig.MIN_FRAME_SIZE, Math.min(SessionConfig.MAX_FRAME_SIZE, size));
  }

  static Hello hello(SessionConfig config, byte[] id, byte[] token, long received) {
    return new Hello(Hello.MAJOR, Hello.MINOR, config.agent(), config.capabilities(), config.maxFrameSize(),
        config.replayLimit(), id, token, received, null, null);
  }

  private void start(Transport first) {
    lock.lock();
    try {
      attachLocked(first);
      scheduleTickLocked();
    } finally {
      lock.unlock();
    }
    Thread writerThread = new Thread(writer::run, "tether-writer-" + config.name());
    writerThread.setDaemon(true);
    writerThread.start();
    startReader(first, generationSnapshot());
  }

  /**
   * Re-attaches this (initiator) session to a new transport after the old one broke: exchanges hellos
   * carrying what each side has received, then retransmits what the peer missed. Channels and their
   * data are untouched; nothing is lost, duplicated or reordered.
   *
   * @throws MuxException when the acceptor no longer knows the session (it then is closed here too)
   */
  public void resume(Transport newTransport) throws IOException {
    if (!initiator) {
      throw new IllegalStateException("only the initiator resumes; the acceptor uses SessionRegistry.accept");
    }
    if (!resumable) {
      throw new MuxException(ErrorCode.PROTOCOL_ERROR, "this session was not negotiated as resumable");
    }
    long receivedSnapshot = detachForResume("the initiator is resuming on a new transport");
    Hello theirs;
    try {
      theirs = Handshake.initiate(newTransport, hello(config, sessionId, resumeToken, receivedSnapshot), config);
    } catch (MuxException refused) {
      if (refused.code() == ErrorCode.UNKNOWN_SESSION || refused.code() == ErrorCode.SESSION_EXPIRED) {
        close(refused.code(), refused.reason());
      }
      throw refused;
    }
    completeResume(newTransport, theirs.received());
  }

  /** Acceptor side of a resume: answers the hello and re-attaches; called by {@link SessionRegistry}. */
  void resumeAccepted(Transport newTransport, Hello theirs) throws IOException {
    long receivedSnapshot = detachForResume("the peer resumed on a new transport");
    hello(config, sessionId, resumeToken, receivedSnapshot).writeTo(newTransport.output());
    completeResume(newTransport, theirs.received());
  }

  private long detachForResume(String why) throws MuxException {
    lock.lock();
    try {
      requireNotClosed();
      if (state == State.ATTACHED) {
        detachLocked(why);
      }
      acks.resumed();
      return acks.received();
    } finally {
      lock.unlock();
    }
  }

  private void completeResume(Transport newTransport, long peerReceived) throws IOException {
    int gen;
    int retransmitting;
    String refusal;
    lock.lock();
    try {
      requireNotClosed();
      refusal = resumeRefusalLocked(peerReceived);
      if (refusal != null) {
        closeLocked(ErrorCode.PROTOCOL_ERROR, refusal, true);
      } else {
        replay.acknowledge(peerReceived);
        outbound.retransmit(replay.after(peerReceived));
        attachLocked(newTransport);
      }
      gen = generation;
      retransmitting = outbound.retransmitting();
    } finally {
      lock.unlock();
    }
    if (refusal != null) {
      newTransport.close(); // outside the lock: a transport's close may block
      throw new SessionClosedException(ErrorCode.PROTOCOL_ERROR, refusal);
    }
    LOG.info("{}: resumed on {} ({} frames to retransmit)", config.name(), newTransport.description(),
        retransmitting);
    events.execute(() -> config.listener().onResumed(this));
    startReader(newTransport, gen);
  }

  private String resumeRefusalLocked(long peerReceived) {
    if (peerReceived >= replay.firstUnacknowledged() - 1 && peerReceived <= replay.lastSeq()) {
      return null;
    }
    return "cannot resume: peer has received up to seq " + peerReceived + " but frames "
        + replay.firstUnacknowledged() + ".." + replay.lastSeq() + " are all this side still holds";
  }

  private void attachLocked(Transport t) {
    long now = scheduler.nanoTime();
    transport = t;
    generation++;
    state = State.ATTACHED;
    liveness.attached(now);
    writer.attachLocked(t.output(), generation);
  }

  private boolean readerCurrent(int gen) {
    lock.lock();
    try {
      return gen == generation && state != State.CLOSED;
    } finally {
      lock.unlock();
    }
  }

  private int generationSnapshot() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  // ---- opening channels ----------------------------------------------------------------------

  /** Opens a channel and waits for the peer to accept it. */
  public Channel open(String kind, ChannelFlavour flavour, String metadata) throws IOException {
    try {
      return openAsync(kind, flavour, metadata).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while opening a '" + kind + "' channel");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Sends OPEN; the future completes with the channel on OPEN_OK or fails with the OPEN_FAIL reason. */
  public CompletableFuture<Channel> openAsync(String kind, ChannelFlavour flavour, String metadata) {
    String meta = metadata == null ? "" : metadata;
    if (meta.length() * 3L + kind.length() * 3L + 6 > frameSize) { // UTF-8 is at most 3 bytes per char
      byte[] bytes = meta.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (bytes.length + 6 + kind.length() * 3L > frameSize) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("OPEN metadata of " + bytes.length
            + " bytes does not fit the negotiated frame size " + frameSize));
      }
    }
    lock.lock();
    try {
      requireNotClosed();
      String refusal = channels.refusalReason();
      if (refusal != null) {
        return CompletableFuture.failedFuture(new ChannelOpenException(ErrorCode.CHANNEL_REFUSED, refusal));
      }
      int window = channels.windowForNewChannel();
      int id = channels.takeLocalId();
      Channel channel = new Channel(this, id, kind, flavour, meta, window, 0, Channel.State.OPENING);
      channels.put(channel);
      queueControlLocked(new Frame(FrameType.OPEN, id, Payloads.open(window, flavour, kind, meta)));
      return channel.openFuture();
    } catch (MuxException | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.unlock();
    }
  }

  void acceptChannel(Channel channel, String metadata) throws MuxException {
    lock.lock();
    try {
      requireNotClosed();
      if (channel.failure() != null) {
        throw channel.failure();
      }
      if (channel.state != Channel.State.PENDING) {
        throw new IllegalStateException("channel " + channel.id() + " was already answered");
      }
      channel.openedLocked(0, metadata);
      queueControlLocked(new Frame(FrameType.OPEN_OK, channel.id(),
          Payloads.openOk(channel.receiveWindowSize(), metadata)));
    } finally {
      lock.unlock();
    }
  }

  void rejectChannel(Channel channel, ErrorCode code, String reason) {
    lock.lock();
    try {
      if (channel.state != Channel.State.PENDING) {
        return;
      }
      channels.remove(channel.id());
      channel.failLocked(new ChannelOpenException(code, reason));
      if (state != State.CLOSED) {
        queueControlLocked(new Frame(FrameType.OPEN_FAIL, channel.id(), Payloads.error(code, reason)));
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- outbound queues (called by channels) ----------------------------------------------------

  /**
   * Sends one DATA frame. When nothing else waits to be written and no one holds the write token, the
   * calling thread (if {@code mayWrite}) takes the token and writes and flushes the frame itself:
   * no hand-off to the writer thread, whose wake-up costs more than the write on a busy machine. In
   * every other case the frame is queued on the channel and the writer thread's round robin decides,
   * so a caller never overtakes queued frames and competing channels still take turns frame by frame.
   * Sequence numbers and the replay buffer are handled exactly as the writer thread does.
   *
   * <p>{@code mayWrite} is false for {@link Channel#tryWrite}, which must never block on the transport.
   * Reader threads never write (a reader blocked on a full transport could deadlock both peers), and
   * neither does an interrupted thread (an interrupt during a write may close a socket channel). Only
   * resumable sessions use this path: should an application thread's interrupt still break a write
   * half-way (some transports close or abandon the stream then), the session detaches and a resume
   * retransmits the frame, where a session that cannot resume would have to close.
   *
   * <p>A queued frame counts against the channel's bound on unsent bytes
   * ({@link Channel#MAX_UNSENT_BYTES}); once that is reached a caller that may block ({@code mayWrite},
   * and not a reader thread) waits here until the writer has drained the queue, and one that may not
   * is told so.
   *
   * @return false when the channel's unsent queue is full (only when {@code mayWrite} is false)
   */
  boolean enqueueData(Channel channel, byte[] payload, boolean mayWrite) throws IOException {
    Frame frame = new Frame(FrameType.DATA, channel.id(), payload);
    long ack;
    lock.lock();
    try {
      requireNotClosed();
      channel.checkWritableLocked();
      if (!mayWrite || !mayWriteDirectlyLocked(frame) || !writer.takeTokenLocked()) {
        queueOnChannelLocked(channel, frame);
        if (mayWrite && !(Thread.currentThread() instanceof ReaderThread)) {
          channel.awaitUnsentRoomLocked(); // not a reader: only it can process the acks that drain the queue
        }
        return !channel.unsentFullLocked();
      }
      channel.countSentLocked(payload.length);
      outbound.sentDirectly(frame, scheduler.nanoTime());
      ack = acks.received();
      noteSentLocked(frame, ack);
    } finally {
      lock.unlock();
    }
    writer.writeDirect(frame, ack);
    return true;
  }

  private boolean mayWriteDirectlyLocked(Frame frame) {
    return resumable && state == State.ATTACHED && writer.tokenFreeLocked()
        && outbound.maySendDirectly(frame, scheduler.nanoTime()) && !(Thread.currentThread() instanceof ReaderThread)
        && !Thread.currentThread().isInterrupted();
  }

  void enqueueHalfClose(Channel channel) throws IOException {
    lock.lock();
    try {
      if (channel.outputClosed) {
        return;
      }
      requireNotClosed();
      channel.checkWritableLocked();
      channel.outputClosed = true;
      // Queued behind the channel's DATA, so the peer sees every byte before the end of stream.
      queueOnChannelLocked(channel, new Frame(FrameType.HALF_CLOSE, channel.id(), Frame.EMPTY));
      dispatcher.removeIfFinishedLocked(channel);
    } finally {
      lock.unlock();
    }
  }

  private void queueOnChannelLocked(Channel channel, Frame frame) {
    if (frame.type == FrameType.DATA) {
      channel.countSentLocked(frame.payload.length);
      channel.queuedLocked(frame.payload.length);
    }
    outbound.queueOnChannel(channel, frame);
    writer.wakeLocked();
  }

  void returnCreditLocked(Channel channel, int increment) {
    if (increment > 0 && state != State.CLOSED && channel.failure() == null) {
      queueControlLocked(new Frame(FrameType.CREDIT, channel.id(), Payloads.credit(increment)));
    }
  }

  /**
   * Queues a control frame. The queue is bounded ({@link SessionConfig#maxControlQueue}): a peer that
   * keeps sending PINGs or frames for unknown channels but never reads the answers would otherwise
   * grow it without limit, so reaching the bound closes the session instead.
   */
  private void queueControlLocked(Frame frame) {
    if (!outbound.queueControl(frame)) {
      protocolErrorLocked(SessionProtocolException.protocol("control queue overflow: " + outbound.controlQueued()
          + " frames waiting to be written (limit " + config.maxControlQueue()
          + "); the peer sends requests but does not read the answers"));
      return;
    }
    writer.wakeLocked();
  }

  void resetChannel(Channel channel, ErrorCode code, String reason) {
    lock.lock();
    try {
      resetLocked(channel.id(), channel, code, reason);
    } finally {
      lock.unlock();
    }
  }

  /** Resets one channel on both sides; the session goes on. */
  private void resetLocked(int id, Channel channel, ErrorCode code, String reason) {
    if (channel != null) {
      if (!channel.failLocked(new ChannelResetException(code, reason, false))) {
        return;
      }
      channels.remove(id);
      outbound.remove(channel);
    }
    channels.rememberReset(id);
    if (state != State.CLOSED) {
      queueControlLocked(new Frame(FrameType.RESET, id, Payloads.error(code, reason)));
    }
    if (LOG.isDebugEnabled()) {
      logLater(() -> LOG.debug("{}: reset channel {}: {} {}", config.name(), id, code, reason));
    }
  }

  // ---- the writer ------------------------------------------------------------------------------

  /** What the {@link SessionWriter} sends: the scheduler's frames while attached, last words on close. */
  private final class WriterSource implements SessionWriter.Source {
    @Override
    public boolean closedLocked() {
      return state == State.CLOSED;
    }

    @Override
    public Frame nextLocked(long now) {
      return state == State.ATTACHED ? nextFrameLocked(now) : null;
    }

    @Override
    public long ackLocked() {
      return acks.received();
    }

    @Override
    public void sendingLocked(Frame frame, long ack) {
      noteSentLocked(frame, ack);
    }

    @Override
    public boolean pendingLocked() {
      return state == State.CLOSED || !outbound.idle();
    }

    @Override
    public List<Frame> lastWordsLocked() {
      return Session.this.lastWordsLocked();
    }

    @Override
    public void writeFailed(int gen, String why) {
      transportFailed(gen, why);
    }

    @Override
    public void finished() {
      closeQuietly(transportSnapshot());
    }
  }

  private void noteSentLocked(Frame frame, long ack) {
    acks.sent(ack);
    wireBytesOut += frame.wireSize();
    outbound.sent(frame);
  }

  /** The scheduler's next frame; a replay overflow closes the session (the writer then sends GOAWAY). */
  private Frame nextFrameLocked(long now) {
    try {
      Frame next = outbound.next(now);
      Runnable writable = outbound.takeWritableCallback();
      if (writable != null) {
        events.execute(writable); // off the lock: a channel's unsent queue drained below its bound
      }
      return next;
    } catch (SessionProtocolException overflow) {
      protocolErrorLocked(overflow);
      return null;
    }
  }

  /**
   * What the writer sends before closing the transport: on a graceful close, the frames still queued
   * (as far as the replay buffer takes them), then the GOAWAY; none when the session closed without one.
   */
  private List<Frame> lastWordsLocked() {
    List<Frame> last = new ArrayList<>();
    if (goaway == null) {
      return last;
    }
    long now = scheduler.nanoTime();
    try {
      for (Frame queued = outbound.next(now); queued != null; queued = outbound.next(now)) {
        last.add(queued);
      }
    } catch (SessionProtocolException replayFull) {
      // no room to keep more for a resume that will not come: the GOAWAY still goes
    }
    outbound.clear();
    last.add(goaway);
    goaway = null;
    return last;
  }

  // ---- the reader ------------------------------------------------------------------------------

  private void startReader(Transport t, int gen) {
    Thread reader = new ReaderThread(() -> readLoop(t, gen), "tether-reader-" + config.name() + "-" + gen);
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(Transport t, int gen) {
    FrameReader reader = new FrameReader(t.input(), config.maxFrameSize(), payloads);
    try {
      while (reader.nextFrame((frame, ack) -> onFrame(gen, frame, ack))) {
        if (!readerCurrent(gen)) {
          return; // detached (a resume starts a new reader) or closed
        }
      }
      transportFailed(gen, "the transport ended (" + t.description() + ")");
    } catch (SessionProtocolException e) {
      readerFailed(gen, e); // a frame the reader could not parse
    } catch (IOException e) {
      transportFailed(gen, "read failed: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("{}: internal error in the reader", config.name(), e);
      readerFailed(gen, new SessionProtocolException(ErrorCode.INTERNAL_ERROR, "internal error: " + e));
    }
  }

  private void readerFailed(int gen, SessionProtocolException e) {
    lock.lock();
    try {
      if (gen == generation) {
        protocolErrorLocked(e);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Handles one frame under the lock; callbacks it collects run after the lock is released. */
  private void onFrame(int gen, Frame frame, long ack) {
    frameLog.inbound(frame, ack); // before the lock: logging never holds it
    List<Runnable> callbacks = new ArrayList<>(2);
    boolean payloadKept = false;
    lock.lock();
    try {
      if (gen != generation || state == State.CLOSED) {
        return; // a stale reader from before a resume, or a closed session
      }
      payloadKept = receiveLocked(frame, ack, callbacks);
    } catch (SessionProtocolException | ChannelProtocolException e) {
      protocolErrorLocked(e);
    } finally {
      if (!payloadKept && frame.type == FrameType.DATA) {
        payloads.give(frame.payload); // dropped or refused: the array came from the pool and nobody holds it
      }
      lock.unlock();
    }
    for (Runnable callback : callbacks) {
      runCallback(callback);
    }
  }

  /** Returns true when a channel took the frame's payload (a DATA frame it buffered). */
  private boolean receiveLocked(Frame frame, long ack, List<Runnable> callbacks)
      throws SessionProtocolException, ChannelProtocolException {
    long now = scheduler.nanoTime();
    liveness.received(now);
    wireBytesIn += frame.wireSize();
    long unacknowledged = replay.bytes();
    if (!replay.acknowledge(ack)) {
      throw SessionProtocolException.protocol("peer acknowledged seq " + ack + " but only "
          + replay.lastSeq() + " frames were sent");
    }
    ackArrivedLocked(unacknowledged - replay.bytes(), now);
    if (frame.type.sequenced && !acceptSequenceLocked(frame, now)) {
      return false;
    }
    return dispatcher.dispatchLocked(frame, callbacks);
  }

  /**
   * The one place that decides an error's scope (netty's {@code onError}): a
   * {@link ChannelProtocolException} resets that channel and the session goes on; a
   * {@link SessionProtocolException} closes the session with a GOAWAY naming the reason. Every protocol
   * error ends here: the frame handlers' (through {@link #onFrame}), the frame reader's, an overflowing
   * control queue's and an overflowing replay buffer's.
   */
  private void protocolErrorLocked(Exception error) {
    if (error instanceof ChannelProtocolException e) {
      resetLocked(e.channel, channels.get(e.channel), e.code, e.getMessage());
    } else if (error instanceof SessionProtocolException e) {
      if (state != State.CLOSED) {
        logLater(() -> LOG.warn("{}: closing session: {}", config.name(), e.getMessage()));
      }
      closeLocked(e.code, e.getMessage(), true);
    } else {
      throw new IllegalArgumentException("not a protocol error: " + error, error);
    }
  }

  /**
   * Wakes the writer only when it is waiting for replay room and the acknowledgement just processed
   * made room for the frame it waits to send; any other inbound frame leaves it asleep.
   */
  private void ackArrivedLocked(long released, long now) {
    boolean wasSuspended = outbound.budgetSuspended(now);
    if (outbound.ackArrived(released, now)) {
      writer.wakeLocked();
    }
    if (!wasSuspended && outbound.budgetSuspended(now) && LOG.isDebugEnabled()) {
      logLater(() -> LOG.debug("{}: the peer acknowledged late; in-flight budget suspended", config.name()));
    }
  }

  /** Returns false for a duplicate (dropped); throws on a gap, which means frames were lost. */
  private boolean acceptSequenceLocked(Frame frame, long now) throws SessionProtocolException {
    if (acks.isDuplicate(frame.seq())) {
      if (LOG.isDebugEnabled()) {
        logLater(() -> LOG.debug("{}: dropping duplicate seq {}", config.name(), frame.seq()));
      }
      return false;
    }
    if (acks.accept(frame, now) == AckPolicy.Decision.ACK_NOW) {
      queueAckLocked();
    } else if (ackTimer == null) {
      ackTimer = scheduler.schedule(this::ackTimerFired, config.ackDelay().toNanos(), TimeUnit.NANOSECONDS);
    }
    return true;
  }

  /** What the {@link FrameDispatcher} asks of this session, under its lock. */
  private final class DispatcherActions implements FrameDispatcher.Actions {
    @Override
    public void queueControlLocked(Frame frame) {
      Session.this.queueControlLocked(frame);
    }

    @Override
    public String acceptorRefusalLocked() {
      return acceptorsRunning < config.maxAcceptors() ? null : "too many channels waiting for the acceptor: "
          + acceptorsRunning + ", the limit is " + config.maxAcceptors();
    }

    @Override
    public Channel newPeerChannelLocked(int id, Payloads.Open open, int window) {
      return new Channel(Session.this, id, open.kind(), open.flavour(), open.metadata(), window, open.window(),
          Channel.State.PENDING);
    }

    @Override
    public void startAcceptorLocked(Channel channel) {
      OpenRequest request = new OpenRequest(channel);
      acceptorsRunning++;
      Workers.shared().execute(() -> runAcceptor(request));
    }

    @Override
    public void forgetLocked(Channel channel) {
      outbound.remove(channel);
    }

    @Override
    public void pongLocked(long payload) {
      liveness.pong(payload, scheduler.nanoTime());
    }

    @Override
    public void peerClosedLocked(ErrorCode code, String reason) {
      closeLocked(code, reason, false);
    }

    @Override
    public void logLater(Runnable line) {
      Session.this.logLater(line);
    }
  }

  private void runAcceptor(OpenRequest request) {
    try {
      config.acceptor().onOpen(request);
    } catch (Exception e) {
      LOG.warn("{}: acceptor failed for '{}': {}", config.name(), request.kind(), e.toString());
      request.reject(ErrorCode.INTERNAL_ERROR, e.getMessage() == null ? e.toString() : e.getMessage());
    } finally {
      lock.lock();
      try {
        acceptorsRunning--;
      } finally {
        lock.unlock();
      }
    }
  }

  private void runCallback(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.warn("{}: channel callback failed", config.name(), e);
    }
  }

  // ---- timers: acks, keepalive, dead peers, expiry ----------------------------------------------

  private void ackTimerFired() {
    lock.lock();
    try {
      ackTimer = null;
      if (state == State.ATTACHED && acks.owed()) {
        queueAckLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  private void queueAckLocked() {
    if (outbound.queueAck()) {
      writer.wakeLocked();
    }
  }

  private void scheduleTickLocked() {
    if (state != State.CLOSED) {
      tickTimer = scheduler.schedule(this::tick, config.tickInterval().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Runs every tick interval: pings, declares a silent peer dead, expires a session left detached.
   * A tick that comes far too late means this process was stalled (GC, suspend, SIGSTOP); the peer
   * then gets a full timeout of grace, since its silence may be our own.
   */
  void tick() {
    String deadReason = null;
    int gen;
    lock.lock();
    try {
      long now = scheduler.nanoTime();
      long stalled = liveness.tick(now);
      if (stalled > 0) {
        logLater(() -> LOG.info("{}: this process was stalled for {} ms; giving the peer grace", config.name(),
            stalled / 1_000_000));
      }
      gen = generation;
      if (state == State.ATTACHED) {
        if (liveness.pingDue(now)) {
          queueControlLocked(new Frame(FrameType.PING, 0, Payloads.ping(Math.max(1, now))));
        }
        deadReason = liveness.deadPeerReason(now, replay.oldestSentNanos());
      } else if (state == State.DETACHED && now - detachedSinceNanos >= config.detachedTimeout().toNanos()) {
        closeLocked(ErrorCode.SESSION_EXPIRED, "not resumed within " + config.detachedTimeout().toSeconds()
            + " s after the transport broke", false);
      }
      scheduleTickLocked();
    } finally {
      lock.unlock();
    }
    if (deadReason != null) {
      transportFailed(gen, deadReason);
    }
  }

  // ---- transport loss and closing ------------------------------------------------------------

  /** The transport of generation {@code gen} broke: detach (resumable) or close. */
  private void transportFailed(int gen, String why) {
    lock.lock();
    try {
      if (gen != generation || state != State.ATTACHED) {
        return;
      }
      if (!resumable) {
        closeLocked(ErrorCode.PROTOCOL_ERROR, "transport lost and the session is not resumable: " + why, false);
        return;
      }
      detachLocked(why);
    } finally {
      lock.unlock();
    }
  }

  private void detachLocked(String why) {
    Transport old = transport;
    generation++;
    state = State.DETACHED;
    detachedSinceNanos = scheduler.nanoTime();
    outbound.detached(); // pings, pongs and acks die with the transport
    logLater(() -> LOG.info("{}: transport detached: {}", config.name(), why));
    Workers.shared().execute(() -> closeQuietly(old));
    events.execute(() -> config.listener().onDetached(this, why));
  }

  /** Ends the session: the peer gets a GOAWAY with the code and reason, every channel fails. */
  public void close(ErrorCode code, String reason) {
    lock.lock();
    try {
      closeLocked(code, reason, true);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    close(ErrorCode.NO_ERROR, "closed");
  }

  private void closeLocked(ErrorCode code, String reason, boolean tellPeer) {
    if (state == State.CLOSED) {
      return;
    }
    boolean attached = state == State.ATTACHED;
    state = State.CLOSED;
    closeCode = code;
    closeReason = reason;
    Transport t = transport;
    if (tellPeer && attached) {
      // The writer sends the GOAWAY and closes; the backstop covers a writer stuck on a dead transport.
      goaway = new Frame(FrameType.GOAWAY, 0, Payloads.error(code, reason));
      scheduler.schedule(() -> closeQuietly(t), GOAWAY_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      Workers.shared().execute(() -> closeQuietly(t));
    }
    // A graceful close (NO_ERROR) loses nothing already in hand: the writer still sends what is queued
    // before the GOAWAY, and what arrived stays readable.
    boolean graceful = code == ErrorCode.NO_ERROR;
    SessionClosedException failure = new SessionClosedException(code, reason);
    for (Channel channel : channels.removeAll()) {
      channel.failLocked(failure, graceful);
    }
    if (!(graceful && goaway != null)) {
      outbound.clear();
    }
    cancel(ackTimer);
    cancel(tickTimer);
    writer.wakeAllLocked();
    events.execute(() -> config.listener().onClosed(this, code, reason));
  }

  /**
   * Logs off the session lock: code that holds the lock hands its log line to the session's serial
   * event executor, which writes it in order on a worker thread, so a slow log appender never holds
   * up the reader, the writer or an application thread.
   */
  private void logLater(Runnable line) {
    events.execute(line);
  }

  private void requireNotClosed() throws SessionClosedException {
    if (state == State.CLOSED) {
      throw new SessionClosedException(closeCode, closeReason);
    }
  }

  private Transport transportSnapshot() {
    lock.lock();
    try {
      return transport;
    } finally {
      lock.unlock();
    }
  }

  private static void cancel(Scheduler.Cancellable task) {
    if (task != null) {
      task.cancel();
    }
  }

  private static void closeQuietly(Transport t) {
    if (t != null) {
      t.close();
    }
  }

  /** A session's reader thread: marked so that it never writes a frame itself (see enqueueData). */
  private static final class ReaderThread extends Thread {
    ReaderThread(Runnable body, String name) {
      super(body, name);
    }
  }

  // ---- observing -----------------------------------------------------------------------------

  public State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /** The latest keepalive round-trip time in nanoseconds, or -1 before the first PONG. */
  public long rttNanos() {
    lock.lock();
    try {
      return liveness.rttNanos();
    } finally {
      lock.unlock();
    }
  }

  /** A snapshot of counters for status displays and tests. */
  public Stats stats() {
    lock.lock();
    try {
      return new Stats(state, channels.size(), wireBytesIn, wireBytesOut, liveness.rttNanos(), replay.bytes(),
          acks.received(),
          replay.lastSeq(), closeCode, closeReason);
    } finally {
      lock.unlock();
    }
  }

  /** Counters at one instant. */
  public record Stats(State state, int channels, long bytesIn, long bytesOut, long rttNanos, long replayBytes,
      long received, long sent, ErrorCode closeCode, String closeReason) {}

  public String peerAgent() {
    return peerAgent;
  }

  public boolean resumable() {
    return resumable;
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** A stable printable id (hex) for logs and status. */
  public String id() {
    StringBuilder hex = new StringBuilder();
    for (byte b : sessionId == null ? new byte[0] : sessionId) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }

  byte[] resumeTokenBytes() {
    return resumeToken;
  }

  SessionConfig config() {
    return config;
  }

  int frameSize() {
    return frameSize;
  }

  PayloadPool payloads() {
    return payloads;
  }

  @Override
  public String toString() {
    return "Session[" + config.name() + " " + state() + "]";
  }
}
