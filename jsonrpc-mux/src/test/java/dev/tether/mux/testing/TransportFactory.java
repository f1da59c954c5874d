package dev.tether.mux.testing;

import dev.tether.mux.transport.Transport;

/** Makes connected transport pairs of one kind, and can break one as a network failure would. */
public interface TransportFactory extends AutoCloseable {
  /** One connection: the initiator's end, the acceptor's end, and how to break it abruptly. */
  record Connection(Transport initiator, Transport acceptor, Runnable cut) {}

  Connection connect() throws Exception;

  /** Ends everything this factory started (processes, server sockets). */
  @Override
  default void close() throws Exception {}
}
