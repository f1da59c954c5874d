package dev.tether.mux;

import java.io.IOException;

/** The other end answered, but not with the Tether preamble; the message quotes what it said. */
public final class NotTetherException extends IOException {
  private static final long serialVersionUID = 1L;

  public NotTetherException(String message) {
    super(message);
  }
}
