package dev.tether.local.daemon;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelResetException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import java.io.IOException;

/**
 * Joins two channels of the same flavour so each one's bytes flow to the other unchanged (a message
 * channel's length-prefixed records pass through as bytes). End of stream becomes a half-close on the
 * other side; a reset or a lost session becomes a reset carrying the same reason.
 */
final class Splice {
  private Splice() {}

  static void join(Channel a, Channel b, String label) {
    pump(a, b, label + " >");
    pump(b, a, label + " <");
  }

  private static void pump(Channel from, Channel to, String name) {
    Thread thread = new Thread(() -> copy(from, to), "splice " + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Read failures are the source's story and go forward; write failures go back to the source. */
  private static void copy(Channel from, Channel to) {
    byte[] buffer = new byte[32 * 1024];
    while (true) {
      int n;
      try {
        n = from.read(buffer, 0, buffer.length);
      } catch (IOException e) {
        to.reset(codeOf(e), e.getMessage());
        return;
      }
      try {
        if (n < 0) {
          to.halfClose();
          return;
        }
        to.write(buffer, 0, n);
      } catch (IOException e) {
        from.reset(codeOf(e), e.getMessage());
        return;
      }
    }
  }

  private static ErrorCode codeOf(IOException e) {
    if (e instanceof ChannelResetException reset) {
      return reset.code();
    }
    return e instanceof MuxException mux && mux.code() != ErrorCode.NO_ERROR ? mux.code() : ErrorCode.SERVICE_ERROR;
  }
}
