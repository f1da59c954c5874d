package dev.tether.adapters.ws;

import dev.tether.mux.transport.Transport;
import dev.tether.mux.transport.TransportStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * A session's byte stream over one WebSocket: each write goes out as binary messages of at most
 * {@link WsLimits#MAX_MESSAGE} bytes, and the bytes of the binary messages that arrive are read in
 * order (message boundaries carry no meaning). Text messages are a protocol error and close the
 * WebSocket.
 *
 * <p>Nothing is buffered beyond one message in each direction. Reading uses Jetty's explicit demand:
 * the next message is demanded only once the session's reader has consumed the previous one, so a
 * peer that sends faster than the session reads is held back by TCP, never by a growing queue here.
 * A write blocks until Jetty has written the message, so a peer that stops reading stalls the
 * session's writer (and, through the channel windows, the channels) rather than filling memory.
 *
 * <p>Threading: Jetty calls the {@link Session.Listener} methods, one event at a time; the session's
 * reader thread calls {@link #input()}, its writer thread {@link #output()}; {@link #close} from any
 * thread. {@code lock} guards the message being read and the end state; no I/O happens under it.
 */
public final class WebSocketTransport implements Transport, Session.Listener {
  private final String description;
  private final CompletableFuture<WebSocketTransport> opened = new CompletableFuture<>();
  private final CompletableFuture<String> ended = new CompletableFuture<>();
  private final Object lock = new Object();
  private final InputStream in = new Input();
  private final OutputStream out = new Output();

  private volatile Session socket;
  /** The message being read; null when the reader waits for the next one. */
  private ByteBuffer current;
  /** Why no more bytes will arrive; null while the WebSocket is open. */
  private String endReason;
  private boolean endedCleanly;

  public WebSocketTransport(String description) {
    this.description = description;
  }

  /** Completes once the WebSocket is open (after the upgrade), before any byte is read. */
  public CompletableFuture<WebSocketTransport> opened() {
    return opened;
  }

  /** Completes with the reason when the WebSocket has closed, cleanly or not. */
  public CompletableFuture<String> ended() {
    return ended;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    socket = session;
    session.demand();
    opened.complete(this);
  }

  /**
   * Copies the message and gives Jetty its buffer back at once: Jetty may recycle a buffer when the
   * connection aborts, and a reader still holding it would read another connection's bytes. The next
   * message is demanded only once the reader has consumed this one.
   */
  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
    callback.succeed();
    synchronized (lock) {
      current = copy;
      lock.notifyAll();
    }
  }

  @Override
  public void onWebSocketText(String message) {
    socket.close(StatusCode.BAD_DATA, "tether carries binary messages only", Callback.NOOP);
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    end(statusCode == StatusCode.NORMAL, "WebSocket closed (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    end(false, "WebSocket failed: " + cause.getMessage());
  }

  private void end(boolean clean, String reason) {
    synchronized (lock) {
      if (endReason == null) {
        endReason = reason;
        endedCleanly = clean;
      }
      lock.notifyAll();
    }
    opened.completeExceptionally(new IOException(reason));
    ended.complete(reason);
  }

  @Override
  public InputStream input() {
    return in;
  }

  @Override
  public OutputStream output() {
    return out;
  }

  /** Closes the WebSocket with a close frame (the reader sees the end at once); idempotent. */
  @Override
  public void close() {
    end(true, "closed by this side");
    Session session = socket;
    if (session != null && session.isOpen()) {
      session.close(StatusCode.NORMAL, null, Callback.NOOP);
    }
  }

  /**
   * Closes the WebSocket with this status and reason (at most 123 bytes reach the peer, which sees why
   * the stream ended); idempotent.
   */
  public void close(int status, String reason) {
    end(status == StatusCode.NORMAL, "closed by this side: " + reason);
    Session session = socket;
    if (session != null && session.isOpen()) {
      session.close(status, closeReason(reason), Callback.NOOP);
    }
  }

  /** A close reason cut to the 123 bytes of UTF-8 a close frame holds. */
  static String closeReason(String reason) {
    String cut = reason;
    while (cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut;
  }

  /** Drops the connection without a close frame, as a network failure would. */
  public void disconnect() {
    end(false, "disconnected by this side");
    Session session = socket;
    if (session != null) {
      session.disconnect();
    }
  }

  @Override
  public String description() {
    return description;
  }

  private final class Input extends TransportStreams.Input {
    Input() {
      super(WebSocketTransport.this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (true) {
        int n;
        boolean consumed = false;
        synchronized (lock) {
          while (current == null && endReason == null) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted reading " + description);
            }
          }
          if (current == null) {
            if (endedCleanly) {
              return -1;
            }
            throw new IOException(endReason);
          }
          n = Math.min(len, current.remaining());
          current.get(b, off, n);
          if (!current.hasRemaining()) {
            consumed = true;
            current = null;
          }
        }
        if (consumed) {
          demandNext();
        }
        if (n > 0) {
          return n;
        }
        // an empty message: wait for the next
      }
    }
  }

  /** Only now may the next message come in; a WebSocket closed meanwhile has nothing more to give. */
  private void demandNext() {
    try {
      socket.demand();
    } catch (RuntimeException e) {
      end(false, "WebSocket failed: " + e.getMessage());
    }
  }

  private final class Output extends TransportStreams.Output {
    Output() {
      super(WebSocketTransport.this);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Session session = socket;
      if (session == null) {
        throw new IOException(description + " is not open");
      }
      for (int sent = 0; sent < len; ) {
        int n = Math.min(WsLimits.MAX_MESSAGE, len - sent);
        Callback.Completable done = new Callback.Completable();
        // No copy: the caller keeps the array untouched until we return, and we wait for the send.
        session.sendBinary(ByteBuffer.wrap(b, off + sent, n), done);
        await(done);
        sent += n;
      }
    }

    private void await(Callback.Completable done) throws IOException {
      try {
        done.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted writing to " + description);
      } catch (ExecutionException e) {
        throw new IOException("cannot write to " + description + ": " + e.getCause().getMessage(), e.getCause());
      }
    }
  }
}
