package dev.tether.mux;

import dev.tether.mux.internal.ChannelProtocolException;
import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.MalformedPayloadException;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.internal.SessionProtocolException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles each inbound frame that passed the session's sequence check: updates the channel it names
 * and asks the session (through {@link Actions}) for what only the session can do. It decides no error
 * scope itself beyond naming it: a violation confined to one channel is thrown as a
 * {@link ChannelProtocolException} (netty's {@code Http2Exception.streamError}), one that makes the
 * session untrustworthy as a {@link SessionProtocolException} ({@code connectionError}); a malformed
 * payload takes the scope of its frame type. The session's {@code protocolErrorLocked} is the one place
 * that turns the first into a RESET and the second into a GOAWAY and close.
 *
 * <p>Threading: none of its own; the session's reader calls {@link #dispatchLocked} under the session
 * lock, and {@link Actions} is called back under it. Nothing here does I/O or logs directly: callbacks
 * to applications are collected for the caller to run after unlocking, log lines go to
 * {@link Actions#logLater}.
 */
final class FrameDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(FrameDispatcher.class);

  /** What the dispatcher needs of its session; every method is called under the session lock. */
  interface Actions {
    /** Queues a control frame (PONG, OPEN_FAIL); may close the session when the queue overflows. */
    void queueControlLocked(Frame frame);

    /** Why a new peer channel must wait for no acceptor (too many running), or null. */
    String acceptorRefusalLocked();

    /** A channel the peer opened, pending until the acceptor answers it. */
    Channel newPeerChannelLocked(int id, Payloads.Open open, int window);

    /** Hands a new peer channel to the acceptor (off the lock). */
    void startAcceptorLocked(Channel channel);

    /** A channel left the table: its unsent frames go with it. */
    void forgetLocked(Channel channel);

    /** A PONG answered the PING that carried {@code payload}. */
    void pongLocked(long payload);

    /** The peer closed the session with a GOAWAY. */
    void peerClosedLocked(ErrorCode code, String reason);

    /** Writes a log line later, off the lock. */
    void logLater(Runnable line);
  }

  private final String name;
  private final ChannelTable channels;
  private final Actions session;

  FrameDispatcher(String name, ChannelTable channels, Actions session) {
    this.name = name;
    this.channels = channels;
    this.session = session;
  }

  /**
   * Handles one frame, giving a malformed payload the scope of its frame type: a channel frame's is
   * a {@link ChannelProtocolException}, a session frame's a {@link SessionProtocolException}. Callbacks
   * for applications (a channel became readable or writable, an open completed) are added to
   * {@code callbacks}. Returns true when a channel took the frame's payload (a DATA frame it buffered).
   */
  boolean dispatchLocked(Frame frame, List<Runnable> callbacks)
      throws SessionProtocolException, ChannelProtocolException {
    try {
      return handleLocked(frame, callbacks);
    } catch (MalformedPayloadException e) {
      if (frame.type.sessionScoped()) {
        throw SessionProtocolException.protocol("malformed " + frame.type + ": " + e.getMessage());
      }
      throw new ChannelProtocolException(frame.channel, ErrorCode.PROTOCOL_ERROR,
          "malformed " + frame.type + " frame: " + e.getMessage());
    }
  }

  private boolean handleLocked(Frame frame, List<Runnable> callbacks)
      throws SessionProtocolException, ChannelProtocolException, MalformedPayloadException {
    switch (frame.type) {
      case OPEN -> handleOpenLocked(frame);
      case OPEN_OK -> handleOpenOkLocked(frame, callbacks);
      case OPEN_FAIL -> handleOpenFailLocked(frame);
      case DATA -> {
        return handleDataLocked(frame, callbacks);
      }
      case CREDIT -> handleCreditLocked(frame, callbacks);
      case HALF_CLOSE -> handleHalfCloseLocked(frame, callbacks);
      case RESET -> handleResetLocked(frame);
      case PING -> {
        Payloads.parsePing(frame.payload); // a malformed PING is a session error, like a malformed PONG
        session.queueControlLocked(new Frame(FrameType.PONG, 0, frame.payload));
      }
      case PONG -> session.pongLocked(Payloads.parsePing(frame.payload));
      case GOAWAY -> handleGoawayLocked(frame);
      case ACK -> { } // the header's ack field was all it carried
      default -> throw SessionProtocolException.protocol("unhandled frame type " + frame.type);
    }
    return false;
  }

  private void handleOpenLocked(Frame frame) throws MalformedPayloadException, ChannelProtocolException {
    int id = frame.channel;
    channels.acceptPeerId(id);
    Payloads.Open open = Payloads.parseOpen(frame.payload);
    String refusal = channels.limitReason();
    if (refusal == null) {
      refusal = session.acceptorRefusalLocked();
    }
    if (refusal == null) {
      refusal = channels.budgetReason();
    }
    if (refusal != null) {
      session.queueControlLocked(new Frame(FrameType.OPEN_FAIL, id,
          Payloads.error(ErrorCode.CHANNEL_REFUSED, refusal)));
      return;
    }
    Channel channel = session.newPeerChannelLocked(id, open, channels.windowForNewChannel());
    channels.put(channel);
    session.startAcceptorLocked(channel);
  }

  private void handleOpenOkLocked(Frame frame, List<Runnable> callbacks)
      throws MalformedPayloadException, ChannelProtocolException {
    Channel channel = channels.get(frame.channel);
    if (channel == null || channel.state != Channel.State.OPENING) {
      answerUnknownLocked(frame, channel);
      return;
    }
    Payloads.OpenOk ok = Payloads.parseOpenOk(frame.payload);
    channel.openedLocked(ok.window(), ok.metadata());
    callbacks.add(() -> channel.openFuture().complete(channel));
  }

  private void handleOpenFailLocked(Frame frame) throws MalformedPayloadException, ChannelProtocolException {
    Channel channel = channels.get(frame.channel);
    if (channel == null || channel.state != Channel.State.OPENING) {
      answerUnknownLocked(frame, channel);
      return;
    }
    Payloads.Error error = Payloads.parseError(frame.payload);
    channels.remove(frame.channel);
    channel.failLocked(new ChannelOpenException(error.code(), error.reason()));
  }

  /** Returns true when the channel took the payload; otherwise the caller gives the array back. */
  private boolean handleDataLocked(Frame frame, List<Runnable> callbacks) throws ChannelProtocolException {
    Channel channel = channels.get(frame.channel);
    if (channel == null || channel.state == Channel.State.OPENING || channel.state == Channel.State.PENDING) {
      answerUnknownLocked(frame, channel);
      return false;
    }
    if (channel.remoteFinished()) {
      throw new ChannelProtocolException(frame.channel, ErrorCode.PROTOCOL_ERROR,
          "DATA after HALF_CLOSE on channel " + frame.channel);
    }
    long window = channel.windowAvailableLocked();
    if (!channel.consumeWindowLocked(frame.payload.length)) {
      throw new ChannelProtocolException(frame.channel, ErrorCode.FLOW_CONTROL_ERROR, "peer sent "
          + frame.payload.length + " bytes on channel " + frame.channel + " with only " + window
          + " bytes of window left");
    }
    addCallback(callbacks, channel.receiveLocked(frame.payload));
    return true;
  }

  private void handleCreditLocked(Frame frame, List<Runnable> callbacks)
      throws MalformedPayloadException, ChannelProtocolException {
    Channel channel = channels.get(frame.channel);
    if (channel == null || channel.state == Channel.State.PENDING) {
      answerUnknownLocked(frame, channel);
      return;
    }
    int increment = Payloads.parseCredit(frame.payload);
    try {
      addCallback(callbacks, channel.creditLocked(increment));
    } catch (IllegalStateException overflow) {
      throw new ChannelProtocolException(frame.channel, ErrorCode.FLOW_CONTROL_ERROR, overflow.getMessage());
    }
  }

  private void handleHalfCloseLocked(Frame frame, List<Runnable> callbacks) throws ChannelProtocolException {
    Channel channel = channels.get(frame.channel);
    if (channel == null || channel.state != Channel.State.OPEN) {
      answerUnknownLocked(frame, channel);
      return;
    }
    addCallback(callbacks, channel.remoteFinishedLocked());
    removeIfFinishedLocked(channel);
  }

  private void handleResetLocked(Frame frame) throws MalformedPayloadException {
    Payloads.Error error = Payloads.parseError(frame.payload);
    Channel channel = channels.remove(frame.channel);
    if (channel != null) {
      session.forgetLocked(channel);
      channel.failLocked(new ChannelResetException(error.code(), error.reason(), true));
    }
  }

  private void handleGoawayLocked(Frame frame) throws MalformedPayloadException {
    Payloads.Error error = Payloads.parseError(frame.payload);
    session.logLater(() -> LOG.info("{}: peer closed the session: {} {}", name, error.code(), error.reason()));
    session.peerClosedLocked(error.code(), error.reason());
  }

  /**
   * A frame for a channel we do not have. Late frames for a channel this side reset are expected
   * (the peer had not seen the RESET yet) and dropped; anything else gets a RESET naming the problem,
   * so the peer is never left waiting on a channel that does not exist.
   */
  private void answerUnknownLocked(Frame frame, Channel channel) throws ChannelProtocolException {
    if (channel == null && (channels.recentlyReset(frame.channel) || frame.type == FrameType.RESET)) {
      if (LOG.isDebugEnabled()) {
        session.logLater(() -> LOG.debug("{}: dropped {} for reset channel {}", name, frame.type, frame.channel));
      }
      return;
    }
    if (channel == null && frame.type == FrameType.CREDIT && channels.knownClosed(frame.channel)) {
      return; // credit racing our close: harmless
    }
    String what = channel != null ? "in state " + channel.state
        : channels.knownClosed(frame.channel) ? "which is closed" : "which was never opened";
    throw new ChannelProtocolException(frame.channel, ErrorCode.UNKNOWN_CHANNEL,
        frame.type + " for channel " + frame.channel + ", " + what);
  }

  /** Removes a channel both sides have finished cleanly (each sent HALF_CLOSE). */
  void removeIfFinishedLocked(Channel channel) {
    if (channel.outputClosed && channel.remoteFinished() && channel.failure() == null) {
      channels.remove(channel.id());
      channel.finishedLocked();
    }
  }

  private static void addCallback(List<Runnable> callbacks, Runnable callback) {
    if (callback != null) {
      callbacks.add(callback);
    }
  }
}
