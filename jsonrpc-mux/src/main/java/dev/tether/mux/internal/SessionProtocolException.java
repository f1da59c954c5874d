package dev.tether.mux.internal;

import dev.tether.mux.ErrorCode;
import java.io.IOException;

/** A violation that makes the session itself untrustworthy: the session is closed with this reason. */
public final class SessionProtocolException extends IOException {
  private static final long serialVersionUID = 1L;
  public final ErrorCode code;

  public SessionProtocolException(ErrorCode code, String reason) {
    super(reason);
    this.code = code;
  }

  public static SessionProtocolException protocol(String reason) {
    return new SessionProtocolException(ErrorCode.PROTOCOL_ERROR, reason);
  }
}
