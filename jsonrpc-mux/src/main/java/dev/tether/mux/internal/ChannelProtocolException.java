package dev.tether.mux.internal;

import dev.tether.mux.ErrorCode;

/**
 * A violation confined to one channel (netty's stream error, where {@link SessionProtocolException}
 * is the connection error): that channel is reset with this code and reason, and the session goes on.
 * The frame dispatcher throws it; the session's {@code protocolErrorLocked} is the one place that
 * turns it into a RESET.
 */
public final class ChannelProtocolException extends Exception {
  private static final long serialVersionUID = 1L;
  public final int channel;
  public final ErrorCode code;

  public ChannelProtocolException(int channel, ErrorCode code, String reason) {
    super(reason, null, false, false); // an answer to the peer, not a bug: no stack trace to fill
    this.channel = channel;
    this.code = code;
  }
}
