package dev.tether.mux.jsonrpc;

import java.io.IOException;

/** The byte stream is not valid LSP base protocol (bad header, missing or oversized Content-Length). */
public final class BaseProtocolException extends IOException {
  private static final long serialVersionUID = 1L;
  private final boolean tooLarge;

  public BaseProtocolException(String message, boolean tooLarge) {
    super(message);
    this.tooLarge = tooLarge;
  }

  /** True when the message was well-formed but larger than the configured limit. */
  public boolean tooLarge() {
    return tooLarge;
  }
}
