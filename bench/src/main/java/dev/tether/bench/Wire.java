package dev.tether.bench;

import dev.tether.mux.transport.InMemoryTransport;
import dev.tether.mux.transport.StreamTransport;
import dev.tether.mux.transport.Transport;
import java.io.IOException;

/**
 * The transports measured over. Each run connects a fresh pair; the mux runs put sessions on it, the
 * direct baselines use its two byte streams as they are.
 */
enum Wire {
  IN_MEMORY("in-memory", BenchOptions.MEMORY) {
    @Override
    Link connect(BenchOptions options) {
      InMemoryTransport.Link link = options.memoryPipeBytes() > 0
          ? InMemoryTransport.pair(options.memoryPipeBytes()) : InMemoryTransport.pair();
      return new Link(link.initiator(), link.acceptor());
    }

    @Override
    long bulkBytes(BenchOptions options) {
      return options.memoryBulkBytes();
    }
  },
  LOOPBACK_TCP("loopback TCP", BenchOptions.TCP) {
    @Override
    Link connect(BenchOptions options) throws IOException {
      Loopback.SocketPair sockets = Loopback.connect(options.tcpBufferBytes());
      return new Link(StreamTransport.of(sockets.client()), StreamTransport.of(sockets.server()));
    }

    @Override
    long bulkBytes(BenchOptions options) {
      return options.tcpBulkBytes();
    }
  };

  /** The two ends of one connection: the initiator's and the acceptor's. */
  record Link(Transport initiator, Transport acceptor) implements AutoCloseable {
    @Override
    public void close() {
      initiator.close();
      acceptor.close();
    }
  }

  final String label;
  /** Its name in --transports. */
  final String option;

  Wire(String label, String option) {
    this.label = label;
    this.option = option;
  }

  abstract Link connect(BenchOptions options) throws IOException;

  /** Bytes per bulk run over this transport. */
  abstract long bulkBytes(BenchOptions options);
}
