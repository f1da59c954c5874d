package dev.tether.bench;

import java.io.IOException;

/** One route of {@link WsBench} to the host, connected. */
interface WsBenchRoute extends AutoCloseable {
  String name();

  /** Sends {@code message}, waits until it is back. */
  void roundTrip(byte[] message) throws IOException;

  /** Whatever must be ready before a read is timed. */
  default void beforeRead() throws IOException {}

  /** Reads {@code bytes} bytes the host sends; returns how many arrived. */
  long read(long bytes) throws IOException;
}
