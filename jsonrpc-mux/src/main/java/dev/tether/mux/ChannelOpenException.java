package dev.tether.mux;

/** The peer refused to open a channel (OPEN_FAIL); the reason says why, e.g. "unknown server 'pyls'". */
public final class ChannelOpenException extends MuxException {
  private static final long serialVersionUID = 1L;

  public ChannelOpenException(ErrorCode code, String reason) {
    super(code, reason);
  }
}
