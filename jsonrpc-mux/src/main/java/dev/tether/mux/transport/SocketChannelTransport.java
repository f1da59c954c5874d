package dev.tether.mux.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A transport over a connected blocking {@link SocketChannel} (TCP or Unix domain). It does not use
 * {@code Channels.newInputStream}: on JDK 17 those streams hold the channel's blocking lock during a
 * read, so a thread blocked reading would stop another thread from writing, and a full-duplex session
 * would stall. SocketChannel itself allows one reader and one writer at once.
 */
public final class SocketChannelTransport implements Transport {
  private final SocketChannel channel;
  private final String description;
  private final InputStream in;
  private final OutputStream out;

  public SocketChannelTransport(SocketChannel channel, String description) {
    this.channel = channel;
    this.description = description;
    this.in = new TransportStreams.Input(this) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, len));
        return n == 0 ? read(b, off, len) : n;
      }
    };
    this.out = new TransportStreams.Output(this) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
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
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a broken socket may fail; it is closed either way
    }
  }

  @Override
  public String description() {
    return description;
  }
}
