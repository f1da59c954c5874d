package dev.tether.bench;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline with no mux: the same runs straight over the transport's two byte streams, with no
 * session in between. Where the mux shares one connection, the baseline uses one connection per
 * stream (N connections for N channels; the bulk load on a second connection), so what it shows is the
 * cost of the transport and of sharing the machine's cores, not of sharing a byte stream.
 */
final class DirectScenarios {
  private static final long BULK_WARMUP_MAX = 256L << 20;

  private final Wire wire;
  private final long bulkBytes;
  private final BenchOptions options;
  private final Progress progress;

  private DirectScenarios(Wire wire, BenchOptions options) {
    this.wire = wire;
    this.bulkBytes = wire.bulkBytes(options);
    this.options = options;
    this.progress = new Progress("direct " + wire.label);
  }

  /** Every run the options ask for; a run left out is null in the result. */
  static SetupResult run(Wire wire, BenchOptions options) throws Exception {
    DirectScenarios runs = new DirectScenarios(wire, options);
    Throughput single = options.runs(BenchOptions.BULK) ? Threads.settled(runs::singleConnection) : null;
    Throughput many = options.runs(BenchOptions.CHANNELS) ? Threads.settled(runs::manyConnections) : null;
    RoundTrips.Both roundTrips = RoundTrips.interleaved(options, runs::idleRound, runs::loadedRound);
    return new SetupResult(wire, false, single, many, runs.progress.report("round trip idle", roundTrips.idle()),
        runs.progress.report("round trip under bulk (2nd connection)", roundTrips.loaded()));
  }

  private Throughput singleConnection() throws Exception {
    transfer(Math.min(bulkBytes / 4, BULK_WARMUP_MAX)); // warm-up
    return progress.report("bulk, 1 connection", transfer(bulkBytes));
  }

  private Throughput manyConnections() throws Exception {
    List<Wire.Link> links = new ArrayList<>();
    try {
      List<OutputStream> outs = new ArrayList<>();
      List<Sink> sinks = new ArrayList<>();
      for (int i = 0; i < options.channels(); i++) {
        Wire.Link link = wire.connect(options);
        links.add(link);
        outs.add(link.initiator().output());
        sinks.add(Sink.start(link.acceptor().input(), "direct-bulk-sink-" + i));
      }
      return progress.report("bulk, " + options.channels() + " connections",
          Bulk.concurrent(outs, sinks, bulkBytes / options.channels()));
    } finally {
      links.forEach(Wire.Link::close);
    }
  }

  private Latency idleRound(int round) throws Exception {
    try (Wire.Link echo = wire.connect(options)) {
      return RoundTrips.measureRound(echo(echo), options, round);
    }
  }

  private RoundTrips.Loaded loadedRound(int round) throws Exception {
    try (Wire.Link echo = wire.connect(options); Wire.Link bulk = wire.connect(options)) {
      Sink sink = Sink.start(bulk.acceptor().input(), "direct-bulk-sink");
      return RoundTrips.measureRoundUnderLoad(echo(echo), bulk.initiator().output(), sink, options, round);
    }
  }

  /** One bulk transfer on a fresh connection; closing the writer's stream ends the reader's. */
  private Throughput transfer(long bytes) throws Exception {
    try (Wire.Link link = wire.connect(options)) {
      Sink sink = Sink.start(link.acceptor().input(), "direct-bulk-sink");
      return Bulk.transfer(link.initiator().output(), sink, bytes);
    }
  }

  private static MessagePipe echo(Wire.Link link) {
    MessagePipe.startEcho(MessagePipe.framed(link.acceptor().input(), link.acceptor().output()), "direct-echo");
    return MessagePipe.framed(link.initiator().input(), link.initiator().output());
  }
}
