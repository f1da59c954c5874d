package dev.tether.mux;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Session settings. Immutable; each {@code withX} returns a copy. Defaults suit an editor session over
 * SSH; see docs/PROTOCOL.md for what each one means on the wire.
 */
public final class SessionConfig {
  /** Capability: the session survives a broken transport and can be resumed. */
  public static final String CAP_RESUME = "resume";
  /**
   * The range a frame size is clamped to, this side's setting and the peer's hello alike: every
   * control payload (a 1 KiB reason, OPEN metadata) must fit a frame, and no peer makes this side
   * buffer a frame larger than 1 MiB.
   */
  public static final int MIN_FRAME_SIZE = 4096;
  public static final int MAX_FRAME_SIZE = 1024 * 1024;

  private String name = "session";
  private String agent = "tether-mux/1";
  private int maxFrameSize = 32 * 1024;
  private int initialWindow = 1024 * 1024;
  private long replayLimit = 32L * 1024 * 1024;
  private int maxMessageSize = 64 * 1024 * 1024;
  private int maxChannels = 4096;
  private int maxControlQueue = 16 * 1024;
  private int maxAcceptors = 64;
  private long receiveBudget = Runtime.getRuntime().maxMemory() / 2;
  private Duration ackDelay = Duration.ofMillis(20);
  private Duration tickInterval = Duration.ofSeconds(1);
  private Duration pingInterval = Duration.ofSeconds(10);
  private Duration deadPeerTimeout = Duration.ofSeconds(20);
  private Duration detachedTimeout = Duration.ofMinutes(10);
  private Duration handshakeTimeout = Duration.ofSeconds(15);
  private Set<String> capabilities = Set.of(CAP_RESUME);
  private Scheduler scheduler = Scheduler.system();
  private ChannelAcceptor acceptor = ChannelAcceptor.REFUSE_ALL;
  private SessionListener listener = SessionListener.NONE;

  public static SessionConfig defaults() {
    return new SessionConfig();
  }

  private SessionConfig copy() {
    SessionConfig c = new SessionConfig();
    c.name = name;
    c.agent = agent;
    c.maxFrameSize = maxFrameSize;
    c.initialWindow = initialWindow;
    c.replayLimit = replayLimit;
    c.maxMessageSize = maxMessageSize;
    c.maxChannels = maxChannels;
    c.maxControlQueue = maxControlQueue;
    c.maxAcceptors = maxAcceptors;
    c.receiveBudget = receiveBudget;
    c.ackDelay = ackDelay;
    c.tickInterval = tickInterval;
    c.pingInterval = pingInterval;
    c.deadPeerTimeout = deadPeerTimeout;
    c.detachedTimeout = detachedTimeout;
    c.handshakeTimeout = handshakeTimeout;
    c.capabilities = capabilities;
    c.scheduler = scheduler;
    c.acceptor = acceptor;
    c.listener = listener;
    return c;
  }

  /** A name for logs and frame traces, e.g. "local:alice@host". */
  public SessionConfig withName(String value) {
    SessionConfig c = copy();
    c.name = Objects.requireNonNull(value);
    return c;
  }

  /** Software name and version sent in the hello, e.g. "tether-remote/0.1.0". */
  public SessionConfig withAgent(String value) {
    SessionConfig c = copy();
    c.agent = Objects.requireNonNull(value);
    return c;
  }

  /** The largest frame payload this side accepts, and the most it puts in one DATA frame. */
  public SessionConfig withMaxFrameSize(int value) {
    if (value < MIN_FRAME_SIZE || value > MAX_FRAME_SIZE) {
      throw new IllegalArgumentException("max frame size must be 4 KiB..1 MiB: " + value);
    }
    SessionConfig c = copy();
    c.maxFrameSize = value;
    return c;
  }

  /** Bytes the peer may send on a channel before this side has read them. */
  public SessionConfig withInitialWindow(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("window must be positive: " + value);
    }
    SessionConfig c = copy();
    c.initialWindow = value;
    return c;
  }

  /** Bytes of unacknowledged frames kept for retransmission after a resume. */
  public SessionConfig withReplayLimit(long value) {
    if (value < 128 * 1024 || value > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("replay limit must be 128 KiB..4 GiB: " + value);
    }
    SessionConfig c = copy();
    c.replayLimit = value;
    return c;
  }

  /** The largest message this side accepts on a message channel. */
  public SessionConfig withMaxMessageSize(int value) {
    SessionConfig c = copy();
    c.maxMessageSize = value;
    return c;
  }

  /** Channels open at once on this session, opened by either side (default 4096). */
  public SessionConfig withMaxChannels(int value) {
    SessionConfig c = copy();
    c.maxChannels = positive(value, "channel limit");
    return c;
  }

  /**
   * Control frames (PONG, RESET, OPEN_FAIL, CREDIT...) waiting to be written (default 16384). A peer
   * that keeps asking (PINGs, frames for unknown channels) but never reads the answers fills this
   * queue; at the limit the session closes with {@link ErrorCode#PROTOCOL_ERROR} rather than grow.
   */
  public SessionConfig withMaxControlQueue(int value) {
    SessionConfig c = copy();
    c.maxControlQueue = positive(value, "control queue limit");
    return c;
  }

  /**
   * Acceptor callbacks running at once for this session (default 64), each on a worker thread; an
   * OPEN beyond it is refused with {@link ErrorCode#CHANNEL_REFUSED}, so a peer cannot make this side
   * start a thread per OPEN while acceptors are slow.
   */
  public SessionConfig withMaxAcceptors(int value) {
    SessionConfig c = copy();
    c.maxAcceptors = positive(value, "acceptor limit");
    return c;
  }

  /**
   * The most bytes all of this session's channels together may grant the peer as receive windows
   * (default half the maximum heap), since every byte of window may end up buffered here. A channel
   * opened when less than its initial window is left gets the rest (at least 64 KiB, or the initial
   * window when that is smaller); below that, the open is refused.
   */
  public SessionConfig withReceiveBudget(long value) {
    if (value < 1) {
      throw new IllegalArgumentException("receive budget must be positive: " + value);
    }
    SessionConfig c = copy();
    c.receiveBudget = value;
    return c;
  }

  private static int positive(int value, String what) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be positive: " + value);
    }
    return value;
  }

  public SessionConfig withAckDelay(Duration value) {
    SessionConfig c = copy();
    c.ackDelay = value;
    return c;
  }

  public SessionConfig withTickInterval(Duration value) {
    SessionConfig c = copy();
    c.tickInterval = value;
    return c;
  }

  public SessionConfig withPingInterval(Duration value) {
    SessionConfig c = copy();
    c.pingInterval = value;
    return c;
  }

  public SessionConfig withDeadPeerTimeout(Duration value) {
    SessionConfig c = copy();
    c.deadPeerTimeout = value;
    return c;
  }

  /** How long a detached session waits for a resume before it is closed. */
  public SessionConfig withDetachedTimeout(Duration value) {
    SessionConfig c = copy();
    c.detachedTimeout = value;
    return c;
  }

  public SessionConfig withHandshakeTimeout(Duration value) {
    SessionConfig c = copy();
    c.handshakeTimeout = value;
    return c;
  }

  public SessionConfig withCapabilities(Set<String> value) {
    SessionConfig c = copy();
    c.capabilities = Set.copyOf(value);
    return c;
  }

  public SessionConfig withScheduler(Scheduler value) {
    SessionConfig c = copy();
    c.scheduler = Objects.requireNonNull(value);
    return c;
  }

  public SessionConfig withAcceptor(ChannelAcceptor value) {
    SessionConfig c = copy();
    c.acceptor = Objects.requireNonNull(value);
    return c;
  }

  public SessionConfig withListener(SessionListener value) {
    SessionConfig c = copy();
    c.listener = Objects.requireNonNull(value);
    return c;
  }

  public String name() { return name; }
  public String agent() { return agent; }
  public int maxFrameSize() { return maxFrameSize; }
  public int initialWindow() { return initialWindow; }
  public long replayLimit() { return replayLimit; }
  public int maxMessageSize() { return maxMessageSize; }
  public int maxChannels() { return maxChannels; }
  public int maxControlQueue() { return maxControlQueue; }
  public int maxAcceptors() { return maxAcceptors; }
  public long receiveBudget() { return receiveBudget; }
  public Duration ackDelay() { return ackDelay; }
  public Duration tickInterval() { return tickInterval; }
  public Duration pingInterval() { return pingInterval; }
  public Duration deadPeerTimeout() { return deadPeerTimeout; }
  public Duration detachedTimeout() { return detachedTimeout; }
  public Duration handshakeTimeout() { return handshakeTimeout; }
  public Set<String> capabilities() { return capabilities; }
  public Scheduler scheduler() { return scheduler; }
  public ChannelAcceptor acceptor() { return acceptor; }
  public SessionListener listener() { return listener; }
}
