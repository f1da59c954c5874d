package dev.tether.mux;

/** The channel was reset, by this side or by the peer; the session itself goes on. */
public final class ChannelResetException extends MuxException {
  private static final long serialVersionUID = 1L;
  private final boolean byPeer;

  public ChannelResetException(ErrorCode code, String reason, boolean byPeer) {
    super(code, reason);
    this.byPeer = byPeer;
  }

  public boolean byPeer() {
    return byPeer;
  }
}
