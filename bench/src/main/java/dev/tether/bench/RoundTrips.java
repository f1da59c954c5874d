package dev.tether.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Small-message round trips against an echo: one message out, wait for it back, one sample. Run idle,
 * or while a {@link Bulk.Pump} keeps another stream of the same transport busy.
 */
final class RoundTrips {
  /** Bytes a pump must have delivered before sampling starts, so the load is in its steady state. */
  private static final long LOAD_SETTLED_BYTES = 16L << 20;
  /** Warm-up of every round but an idle run's first: the JIT is warm by then, the connection is not. */
  private static final int LATER_WARMUP = 1000;

  private RoundTrips() {}

  /** Round trips under load, and the rate the bulk transfer kept up meanwhile. */
  record Loaded(Latency latency, Throughput bulk) {
    /** Several rounds as one: samples pooled, bulk bytes and times summed. */
    static Loaded pooled(List<Loaded> rounds) {
      long bytes = rounds.stream().mapToLong(r -> r.bulk().bytes()).sum();
      long nanos = rounds.stream().mapToLong(r -> r.bulk().nanos()).sum();
      Latency latency = Latency.pooled(rounds.stream().map(Loaded::latency).toList());
      return new Loaded(latency, new Throughput(bytes, nanos));
    }
  }

  /** Idle and under-bulk round trips of one setup; either is null when not asked for. */
  record Both(Latency idle, Loaded loaded) {}

  /** Runs one round of a kind on a fresh connection (and session). */
  interface Round<T> {
    T run(int round) throws Exception;
  }

  /**
   * Runs the idle and the under-bulk rounds alternately, each on a settled JVM, so both see the same
   * background load (the machine is shared) and the ratio of their p99s compares like with like.
   */
  static Both interleaved(BenchOptions options, Round<Latency> idleRound, Round<Loaded> loadedRound)
      throws Exception {
    List<Latency> idle = new ArrayList<>();
    List<Loaded> loaded = new ArrayList<>();
    for (int i = 0; i < options.rounds(); i++) {
      int round = i;
      if (options.runs(BenchOptions.IDLE)) {
        idle.add(Threads.settled(() -> idleRound.run(round)));
      }
      if (options.runs(BenchOptions.LOADED)) {
        loaded.add(Threads.settled(() -> loadedRound.run(round)));
      }
    }
    return new Both(idle.isEmpty() ? null : Latency.pooled(idle),
        loaded.isEmpty() ? null : Loaded.pooled(loaded));
  }

  /** One round of an idle run: its share of the samples and time; the first round does the warm-up. */
  static Latency measureRound(MessagePipe client, BenchOptions options, int round) throws IOException {
    int warmup = round == 0 ? options.warmupSamples() : Math.min(options.warmupSamples(), LATER_WARMUP);
    return measure(client, options.messageSize(), warmup, samplesOf(options, round),
        options.latencyTimeLimit().dividedBy(options.rounds()));
  }

  /** This round's share of the samples; the shares add up to exactly {@code --samples}. */
  private static int samplesOf(BenchOptions options, int round) {
    return options.samples() / options.rounds() + (round < options.samples() % options.rounds() ? 1 : 0);
  }

  /**
   * Discards {@code warmup} round trips (or a quarter of {@code limit}, whichever ends first), then
   * samples up to {@code samples} round trips or until {@code limit} has passed.
   */
  private static Latency measure(MessagePipe client, int size, int warmup, int samples, Duration limit)
      throws IOException {
    byte[] message = new byte[size];
    Arrays.fill(message, (byte) '.');
    long warmupEnd = System.nanoTime() + limit.toNanos() / 4;
    for (int i = 0; i < warmup && System.nanoTime() < warmupEnd; i++) {
      roundTrip(client, message);
    }
    long[] nanos = new long[samples];
    int taken = 0;
    long deadline = System.nanoTime() + limit.toNanos();
    while (taken < samples) {
      long start = System.nanoTime();
      roundTrip(client, message);
      long end = System.nanoTime();
      nanos[taken++] = end - start;
      if (end > deadline) {
        break;
      }
    }
    return new Latency(nanos, taken);
  }

  /**
   * One round of a loaded run: starts a pump on {@code bulkOut}, measures this round's share of round
   * trips once it flows, then stops it.
   */
  static Loaded measureRoundUnderLoad(MessagePipe client, OutputStream bulkOut, Sink bulkSink,
      BenchOptions options, int round) throws Exception {
    Bulk.Pump pump = new Bulk.Pump(bulkOut, options.loadRate(), "bulk-pump");
    awaitFlowing(bulkSink);
    long bytesBefore = bulkSink.bytesRead();
    long start = System.nanoTime();
    Latency latency = measure(client, options.messageSize(), Math.min(options.warmupSamples(), LATER_WARMUP),
        samplesOf(options, round), options.latencyTimeLimit().dividedBy(options.rounds()));
    Throughput bulk = new Throughput(bulkSink.bytesRead() - bytesBefore, System.nanoTime() - start);
    pump.stop();
    bulkSink.awaitEnd();
    return new Loaded(latency, bulk);
  }

  private static void awaitFlowing(Sink sink) throws InterruptedException {
    long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (sink.bytesRead() < LOAD_SETTLED_BYTES) {
      if (System.nanoTime() > giveUp) {
        throw new IllegalStateException("the bulk load moved only " + sink.bytesRead() + " bytes in 30 s");
      }
      Thread.sleep(1);
    }
  }

  private static void roundTrip(MessagePipe client, byte[] message) throws IOException {
    client.send(message);
    byte[] reply = client.receive();
    if (reply == null || reply.length != message.length) {
      throw new IOException("the echo answered " + (reply == null ? "end of stream" : reply.length + " bytes")
          + " to a " + message.length + "-byte message");
    }
  }
}
