package dev.tether.mux.testing;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelAcceptor;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verified two-way traffic on many channels: on each channel both sides send a patterned stream of a
 * given length in random-sized writes, then half-close; each side checks every byte it receives.
 * Progress is observable so a test can cut the transport at chosen points of the transfer.
 */
public final class Traffic implements AutoCloseable {
  private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "traffic");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong received = new AtomicLong();
  private final java.util.Queue<CompletableFuture<Void>> acceptorSides = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final long bytesPerDirection;

  public Traffic(long bytesPerDirection) {
    this.bytesPerDirection = bytesPerDirection;
  }

  /** The acceptor side: echoes nothing, but sends its own patterned stream and verifies ours. */
  public ChannelAcceptor acceptor() {
    return request -> {
      Channel channel = request.accept();
      int index = Integer.parseInt(request.metadata());
      acceptorSides.add(CompletableFuture.runAsync(() -> runQuietly(() -> exchange(channel, 1000 + index, index)), pool));
    };
  }

  /** Opens {@code channels} channels from the initiator and runs both directions on each. */
  public CompletableFuture<Void> start(Session initiator, int channels) throws IOException {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      int index = i;
      Channel channel = initiator.open("traffic", ChannelFlavour.BYTES, Integer.toString(i));
      all.add(CompletableFuture.runAsync(() -> runQuietly(() -> exchange(channel, index, 1000 + index)), pool));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  private void exchange(Channel channel, long sendSeed, long receiveSeed) throws Exception {
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> runQuietly(() -> send(channel, sendSeed)), pool);
    receive(channel, receiveSeed);
    sending.get(5, TimeUnit.MINUTES);
  }

  private void send(Channel channel, long seed) throws IOException {
    StreamPattern pattern = new StreamPattern(seed);
    Random sizes = new Random(seed);
    byte[] buffer = new byte[70_000];
    long left = bytesPerDirection;
    while (left > 0) {
      int n = (int) Math.min(left, 1 + sizes.nextInt(buffer.length));
      pattern.fill(buffer, 0, n);
      channel.write(buffer, 0, n);
      left -= n;
    }
    channel.halfClose();
  }

  private void receive(Channel channel, long seed) throws IOException {
    StreamPattern pattern = new StreamPattern(seed);
    byte[] buffer = new byte[50_000];
    while (true) {
      int n = channel.read(buffer, 0, buffer.length);
      if (n < 0) {
        break;
      }
      pattern.verify(buffer, 0, n, "channel " + channel.id());
      received.addAndGet(n);
      synchronized (received) {
        received.notifyAll();
      }
    }
    if (pattern.position() != bytesPerDirection) {
      throw new AssertionError("channel " + channel.id() + " ended after " + pattern.position() + " of "
          + bytesPerDirection + " bytes");
    }
  }

  /** Total verified bytes received so far, both sides together. */
  public long received() {
    return received.get();
  }

  /** Blocks until at least {@code bytes} verified bytes have arrived (or the transfer failed). */
  public void awaitReceived(long bytes, CompletableFuture<?> transfer) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    synchronized (received) {
      while (received.get() < bytes && !transfer.isDone()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no progress: " + received.get() + " of " + bytes + " bytes after 60 s");
        }
        received.wait(Math.max(1, Math.min(100, left / 1_000_000)));
      }
    }
  }

  /**
   * Waits for both sides of every channel to finish, and fails with the first verification error of
   * either side.
   */
  public void finish(CompletableFuture<Void> initiatorSide, int channels, long timeout, TimeUnit unit)
      throws Exception {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    initiatorSide.get(timeout, unit);
    while (acceptorSides.size() < channels) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + acceptorSides.size() + " of " + channels + " channels reached the acceptor");
      }
      Thread.onSpinWait();
    }
    for (CompletableFuture<Void> side : acceptorSides) {
      side.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private static void runQuietly(Body body) {
    try {
      body.run();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
