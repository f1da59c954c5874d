package dev.tether.conformance.transport;

import dev.tether.mux.testing.TransportFactory;
import dev.tether.mux.transport.InMemoryTransport;

class InMemoryTransportConformanceTest extends TransportConformanceTest {
  @Override
  protected TransportFactory newFactory() {
    return () -> {
      InMemoryTransport.Link link = InMemoryTransport.pair();
      return new TransportFactory.Connection(link.initiator(), link.acceptor(), link::cut);
    };
  }
}
