package dev.tether.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Bulk transfers into {@link Sink}s, timed from the first write until the sink has read the last
 * byte. The writer uses 64 KiB writes of one prepared buffer, so the figures are the transport's and
 * not the cost of producing data.
 */
final class Bulk {
  static final int CHUNK = 64 * 1024;
  private static final byte[] DATA = pattern(CHUNK);

  private Bulk() {}

  /** Writes {@code bytes} to {@code out} on this thread, closes it (end of stream) and times the sink. */
  static Throughput transfer(OutputStream out, Sink sink, long bytes) throws Exception {
    long start = System.nanoTime();
    writeAndClose(out, bytes);
    long end = sink.awaitEnd();
    requireAllRead(sink, bytes);
    return new Throughput(bytes, end - start);
  }

  /**
   * Runs one transfer per stream at once, each writer on its own thread, all released together; the
   * time ends when the last sink has everything.
   */
  static Throughput concurrent(List<OutputStream> outs, List<Sink> sinks, long bytesEach) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int i = 0; i < outs.size(); i++) {
      OutputStream out = outs.get(i);
      CompletableFuture<Void> written = new CompletableFuture<>();
      writers.add(written);
      Threads.start("bulk-writer-" + i, () -> {
        try {
          go.await();
          writeAndClose(out, bytesEach);
          written.complete(null);
        } catch (Exception e) {
          written.completeExceptionally(e);
        }
      });
    }
    long start = System.nanoTime();
    go.countDown();
    for (CompletableFuture<Void> written : writers) {
      written.get(5, TimeUnit.MINUTES); // a failed writer is reported here, not as a sink that never ends
    }
    long end = 0;
    for (Sink sink : sinks) {
      end = Math.max(end, sink.awaitEnd());
      requireAllRead(sink, bytesEach);
    }
    return new Throughput(bytesEach * outs.size(), end - start);
  }

  private static void writeAndClose(OutputStream out, long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      int n = (int) Math.min(left, CHUNK);
      out.write(DATA, 0, n);
      left -= n;
    }
    out.close();
  }

  private static void requireAllRead(Sink sink, long expected) {
    if (sink.bytesRead() != expected) {
      throw new IllegalStateException("the sink read " + sink.bytesRead() + " bytes of " + expected);
    }
  }

  private static byte[] pattern(int size) {
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    return data;
  }

  /**
   * Keeps a stream busy until stopped: the background load for round trips measured under load. At
   * full speed unless {@code bytesPerSecond} is above 0, then paced to that rate.
   */
  static final class Pump {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean stopped;

    Pump(OutputStream out, long bytesPerSecond, String name) {
      Threads.start(name, () -> {
        try {
          long start = System.nanoTime();
          long written = 0;
          while (!stopped) {
            out.write(DATA, 0, CHUNK);
            written += CHUNK;
            if (bytesPerSecond > 0) {
              long due = start + (long) (written * 1e9 / bytesPerSecond);
              LockSupport.parkNanos(due - System.nanoTime());
            }
          }
          out.close();
          done.complete(null);
        } catch (IOException | RuntimeException e) {
          done.completeExceptionally(e);
        }
      });
    }

    /** Stops writing, ends the stream and waits until the writer has let go of it. */
    void stop() throws Exception {
      stopped = true;
      done.get(1, TimeUnit.MINUTES);
    }
  }
}
