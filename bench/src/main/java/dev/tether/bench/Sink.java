package dev.tether.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving end of a bulk transfer: a thread that reads a stream to its end, counting bytes and
 * noting when the last one arrived, so a transfer is timed until the data is in the reader's hands.
 */
final class Sink {
  private static final int BUFFER = 64 * 1024;

  private final InputStream in;
  private final AtomicLong bytes = new AtomicLong();
  private final CompletableFuture<Long> endNanos = new CompletableFuture<>();

  private Sink(InputStream in) {
    this.in = in;
  }

  static Sink start(InputStream in, String name) {
    Sink sink = new Sink(in);
    Threads.start(name, sink::drain);
    return sink;
  }

  private void drain() {
    byte[] buffer = new byte[BUFFER];
    try {
      int n;
      while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
        bytes.addAndGet(n);
      }
      endNanos.complete(System.nanoTime());
    } catch (IOException | RuntimeException e) {
      endNanos.completeExceptionally(e);
    }
  }

  /** Bytes read so far; readable while the transfer runs. */
  long bytesRead() {
    return bytes.get();
  }

  /** Waits for the end of the stream and returns when it came (System.nanoTime). */
  long awaitEnd() throws Exception {
    return endNanos.get(5, TimeUnit.MINUTES);
  }
}
