package dev.tether.mux.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A transport over any input/output stream pair: process pipes, a socket, an SSH channel. Closing it
 * closes both streams, plus anything else the creator names (the process or the socket).
 */
public final class StreamTransport implements Transport {
  private final InputStream in;
  private final OutputStream out;
  private final AutoCloseable onClose;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();

  public StreamTransport(InputStream in, OutputStream out, AutoCloseable onClose, String description) {
    this.in = in;
    this.out = out;
    this.onClose = onClose;
    this.description = description;
  }

  public StreamTransport(InputStream in, OutputStream out, String description) {
    this(in, out, null, description);
  }

  /** A connected socket; Nagle is turned off, since small JSON-RPC messages must not wait. */
  public static StreamTransport of(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return new StreamTransport(socket.getInputStream(), socket.getOutputStream(), socket,
        "socket " + socket.getLocalSocketAddress() + " -> " + socket.getRemoteSocketAddress());
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
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(onClose);
    closeQuietly(out);
    closeQuietly(in);
  }

  @Override
  public String description() {
    return description;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Closing is best effort: the stream may already be broken, which is why we are closing it.
    }
  }
}
