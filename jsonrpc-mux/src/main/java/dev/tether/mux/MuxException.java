package dev.tether.mux;

import java.io.IOException;

/** An error with a code from the one {@link ErrorCode} list and a reason a person can read. */
public class MuxException extends IOException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public MuxException(ErrorCode code, String reason) {
    super(reason);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** The reason alone, as sent on the wire. */
  public String reason() {
    return getMessage();
  }
}
