package dev.tether.bench;

import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.SessionConfig;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The session library's runs over one {@link Wire}. Each run gets a fresh session pair, so nothing
 * one leaves behind (buffered data, half-open channels, replay state) colours the next.
 */
final class MuxScenarios {
  private static final long BULK_WARMUP_MAX = 256L << 20;

  private final Wire wire;
  private final long bulkBytes;
  private final BenchOptions options;
  private final SessionConfig config;
  private final Progress progress;

  private MuxScenarios(Wire wire, BenchOptions options) {
    this.wire = wire;
    this.bulkBytes = wire.bulkBytes(options);
    this.options = options;
    this.config = config(options);
    this.progress = new Progress("mux " + wire.label);
  }

  /** Every run the options ask for; a run left out is null in the result. */
  static SetupResult run(Wire wire, BenchOptions options) throws Exception {
    MuxScenarios runs = new MuxScenarios(wire, options);
    Throughput single = options.runs(BenchOptions.BULK) ? Threads.settled(runs::singleChannel) : null;
    Throughput many = options.runs(BenchOptions.CHANNELS) ? Threads.settled(runs::manyChannels) : null;
    RoundTrips.Both roundTrips = RoundTrips.interleaved(options, runs::idleRound, runs::loadedRound);
    return new SetupResult(wire, true, single, many, runs.progress.report("round trip idle", roundTrips.idle()),
        runs.progress.report("round trip under bulk", roundTrips.loaded()));
  }

  /** The library's defaults, except what the command line overrides. */
  static SessionConfig config(BenchOptions options) {
    SessionConfig config = SessionConfig.defaults().withAgent("tether-bench");
    if (options.frameSize() > 0) {
      config = config.withMaxFrameSize(options.frameSize());
    }
    if (options.window() > 0) {
      config = config.withInitialWindow(options.window());
    }
    return config;
  }

  private Throughput singleChannel() throws Exception {
    try (MuxPeers peers = peers()) {
      transfer(peers, Math.min(bulkBytes / 4, BULK_WARMUP_MAX)); // warm-up: JIT, buffers, windows
      return progress.report("bulk, 1 channel", transfer(peers, bulkBytes));
    }
  }

  private Throughput manyChannels() throws Exception {
    try (MuxPeers peers = peers()) {
      List<OutputStream> outs = new ArrayList<>();
      List<Sink> sinks = new ArrayList<>();
      for (int i = 0; i < options.channels(); i++) {
        MuxPeers.ChannelPair bulk = peers.open("bulk", ChannelFlavour.BYTES);
        outs.add(bulk.near().outputStream());
        sinks.add(Sink.start(bulk.far().inputStream(), "bulk-sink-" + i));
      }
      return progress.report("bulk, " + options.channels() + " channels",
          Bulk.concurrent(outs, sinks, bulkBytes / options.channels()));
    }
  }

  private Latency idleRound(int round) throws Exception {
    try (MuxPeers peers = peers()) {
      return RoundTrips.measureRound(echo(peers), options, round);
    }
  }

  private RoundTrips.Loaded loadedRound(int round) throws Exception {
    try (MuxPeers peers = peers()) {
      MessagePipe client = echo(peers);
      MuxPeers.ChannelPair bulk = peers.open("bulk", ChannelFlavour.BYTES);
      Sink sink = Sink.start(bulk.far().inputStream(), "bulk-sink");
      return RoundTrips.measureRoundUnderLoad(client, bulk.near().outputStream(), sink, options, round);
    }
  }

  private MuxPeers peers() throws Exception {
    return MuxPeers.start(wire, options, config);
  }

  private static Throughput transfer(MuxPeers peers, long bytes) throws Exception {
    MuxPeers.ChannelPair bulk = peers.open("bulk", ChannelFlavour.BYTES);
    Sink sink = Sink.start(bulk.far().inputStream(), "bulk-sink");
    return Bulk.transfer(bulk.near().outputStream(), sink, bytes);
  }

  /** A message channel whose far end echoes; returns the near end to measure with. */
  private static MessagePipe echo(MuxPeers peers) throws Exception {
    MuxPeers.ChannelPair channel = peers.open("echo", ChannelFlavour.MESSAGES);
    MessagePipe.startEcho(MessagePipe.of(channel.far()), "echo");
    return MessagePipe.of(channel.near());
  }
}
