package dev.tether.mux.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The streams of a transport that moves bytes in blocks: the one-byte {@code read()} and
 * {@code write(int)} go through the block methods, and closing either stream closes the transport.
 */
public final class TransportStreams {
  private TransportStreams() {}

  /** An input whose subclass reads blocks only. */
  public abstract static class Input extends InputStream {
    private final Transport transport;

    protected Input(Transport transport) {
      this.transport = transport;
    }

    @Override
    public final int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;

    @Override
    public final void close() {
      transport.close();
    }
  }

  /** An output whose subclass writes blocks only. */
  public abstract static class Output extends OutputStream {
    private final Transport transport;

    protected Output(Transport transport) {
      this.transport = transport;
    }

    @Override
    public final void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public abstract void write(byte[] b, int off, int len) throws IOException;

    @Override
    public final void close() {
      transport.close();
    }
  }
}
