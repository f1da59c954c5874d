package dev.tether.mux;

/** The whole session ended; every channel fails with this, carrying the session's close reason. */
public final class SessionClosedException extends MuxException {
  private static final long serialVersionUID = 1L;

  public SessionClosedException(ErrorCode code, String reason) {
    super(code, reason);
  }
}
