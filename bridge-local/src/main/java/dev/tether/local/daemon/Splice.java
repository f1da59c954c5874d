package dev.tether.local.daemon;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelResetException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import dev.tether.mux.Workers;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Joins two channels of the same flavour so each one's bytes flow to the other unchanged (a message
 * channel's length-prefixed records pass through as bytes). End of stream becomes a half-close on the
 * other side; a reset or a lost session becomes a reset carrying the same reason.
 *
 * <p>No thread of its own: bytes move on the thread that reports them, the source session's reader
 * (data arrived), the destination session's reader (window reopened), a worker (a reset or the end of
 * either channel, reported outside the session lock) or the caller of {@link #join} (bytes that came
 * before it), with non-blocking reads and writes only; the work-in-progress count lets one of them
 * drain at a time. {@link Channel#tryWrite} only queues, so the destination session's writer thread
 * puts the bytes on its transport: a reader thread never blocks on a transport. A slow side stalls its
 * direction through the windows, as a blocking copy would.
 */
final class Splice {
  private Splice() {}

  static void join(Channel a, Channel b, String label) {
    new Pump(a, b).start();
    new Pump(b, a).start();
  }

  /**
   * One direction. {@link #signal} may come from two threads at once; the work-in-progress count lets
   * exactly one of them drain at a time and makes it drain again for every signal it missed.
   */
  private static final class Pump {
    private final Channel from;
    private final Channel to;
    private final AtomicInteger signals = new AtomicInteger();
    private final byte[] buffer = new byte[32 * 1024];
    private int pendingOffset;
    private int pendingLength;
    private boolean done;

    Pump(Channel from, Channel to) {
      this.from = from;
      this.to = to;
    }

    void start() {
      from.onReadable(this::signal);
      to.onWritable(this::signal);
      // A reset fires neither callback: on either side it must still reach the other. The futures
      // complete under their session's lock, so the pump runs on a worker, never inside that lock.
      from.closeFuture().whenCompleteAsync((ok, failure) -> signal(), Workers.shared());
      to.closeFuture().whenCompleteAsync((ok, failure) -> signal(), Workers.shared());
      signal(); // bytes may have arrived before the callbacks were set
    }

    private void signal() {
      if (signals.getAndIncrement() != 0) {
        return; // the thread draining now will go round again
      }
      int missed = 1;
      do {
        drain();
        missed = signals.addAndGet(-missed);
      } while (missed != 0);
    }

    /** Read failures are the source's story and go forward; write failures go back to the source. */
    private void drain() {
      Throwable gone = failure(to);
      if (gone != null && !done) {
        // The destination was reset (its reader left, say `| head -1`): nothing more can go there.
        from.reset(gone instanceof IOException e ? codeOf(e) : ErrorCode.SERVICE_ERROR, gone.getMessage());
        done = true;
        return;
      }
      while (!done) {
        if (pendingLength > 0) {
          int written;
          try {
            written = to.tryWrite(buffer, pendingOffset, pendingLength);
          } catch (IOException e) {
            from.reset(codeOf(e), e.getMessage());
            done = true;
            return;
          }
          pendingOffset += written;
          pendingLength -= written;
          if (pendingLength > 0) {
            return; // the window is closed: onWritable brings us back
          }
        }
        int n;
        try {
          n = from.readNow(buffer, 0, buffer.length);
        } catch (IOException e) {
          to.reset(codeOf(e), e.getMessage());
          done = true;
          return;
        }
        if (n == 0) {
          return; // nothing buffered: onReadable brings us back
        }
        if (n < 0) {
          done = true;
          try {
            to.halfClose();
          } catch (IOException e) {
            from.reset(codeOf(e), e.getMessage());
          }
          return;
        }
        pendingOffset = 0;
        pendingLength = n;
      }
    }
  }

  /** Why {@code channel} failed (reset, session lost), or null while it has not. */
  private static Throwable failure(Channel channel) {
    if (!channel.closeFuture().isCompletedExceptionally()) {
      return null;
    }
    Throwable failure = channel.closeFuture().handle((ok, e) -> e).join();
    return failure instanceof java.util.concurrent.CompletionException wrapped && wrapped.getCause() != null
        ? wrapped.getCause() : failure;
  }

  private static ErrorCode codeOf(IOException e) {
    if (e instanceof ChannelResetException reset) {
      return reset.code();
    }
    return e instanceof MuxException mux && mux.code() != ErrorCode.NO_ERROR ? mux.code() : ErrorCode.SERVICE_ERROR;
  }
}
