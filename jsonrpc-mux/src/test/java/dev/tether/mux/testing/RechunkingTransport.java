package dev.tether.mux.testing;

import dev.tether.mux.transport.Transport;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;

/**
 * Wraps a transport so that every write is split into random small pieces and every read returns a
 * random short count: framing must never depend on how the byte stream is chunked.
 */
public final class RechunkingTransport implements Transport {
  private final Transport inner;
  private final InputStream in;
  private final OutputStream out;

  public RechunkingTransport(Transport inner, long seed) {
    this.inner = inner;
    Random readSizes = new Random(seed);
    Random writeSizes = new Random(seed + 1);
    this.in = new FilterInputStream(inner.input()) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.max(1, Math.min(len, 1 + readSizes.nextInt(64))));
      }
    };
    this.out = new FilterOutputStream(inner.output()) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
          int n = Math.min(len, 1 + writeSizes.nextInt(100));
          out.write(b, off, n);
          if (writeSizes.nextInt(4) == 0) {
            out.flush();
          }
          off += n;
          len -= n;
        }
      }
    };
  }

  @Override
  public InputStream input() {
    return in;
  }

  @Override
  public OutputStream output() {
    return out;
  }

  @Override
  public void close() {
    inner.close();
  }

  @Override
  public String description() {
    return "rechunked " + inner.description();
  }
}
