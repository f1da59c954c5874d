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

  private String name = "session";
  private String agent = "tether-mux/1";
  private int maxFrameSize = 32 * 1024;
  private int initialWindow = 1024 * 1024;
  private long replayLimit = 32L * 1024 * 1024;
  private int maxMessageSize = 64 * 1024 * 1024;
  private int maxChannels = 4096;
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
    if (value < 4096 || value > 1024 * 1024) {
      // 4 KiB floor: every control payload (a 1 KiB reason, OPEN metadata checked at open) must fit a frame
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

  public SessionConfig withMaxChannels(int value) {
    SessionConfig c = copy();
    c.maxChannels = value;
    return c;
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
