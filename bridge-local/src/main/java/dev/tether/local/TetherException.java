package dev.tether.local;

import java.io.IOException;

/**
 * A failure the user must read: the message is one line saying what went wrong and what to do. The
 * CLI prints it as {@code tether: <message>} and exits non-zero; it never shows a stack trace.
 */
public class TetherException extends IOException {
  private static final long serialVersionUID = 1L;

  public TetherException(String message) {
    super(message);
  }

  public TetherException(String message, Throwable cause) {
    super(message, cause);
  }
}
