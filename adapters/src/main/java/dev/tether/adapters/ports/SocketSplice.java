package dev.tether.adapters.ports;

import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Joins a TCP socket and a byte channel, both ways, on two threads. It is the same on both sides of
 * a forward (the agent's socket to the service, the local socket from the client):
 * <ul>
 *   <li>end of stream on one side becomes a half-close on the other (socket EOF → channel
 *       {@link Channel#halfClose}, channel EOF → {@link Socket#shutdownOutput}), so protocols that
 *       half-close (HTTP/1.0 clients, {@code nc -N}) work;</li>
 *   <li>a reset channel resets the socket (SO_LINGER 0: the peer sees RST, not a clean end);</li>
 *   <li>a socket error resets the channel with {@link ErrorCode#SERVICE_ERROR} and the error;</li>
 *   <li>the socket is closed once both directions have ended.</li>
 * </ul>
 */
public final class SocketSplice {
  private static final int BUFFER = 32 * 1024;

  private SocketSplice() {}

  /** Starts the two pumps; {@code label} names the threads ("forward 8080" ...). */
  public static void join(Socket socket, Channel channel, String label) {
    AtomicInteger running = new AtomicInteger(2);
    Runnable finished = () -> {
      if (running.decrementAndGet() == 0) {
        closeQuietly(socket);
      }
    };
    start(() -> socketToChannel(socket, channel, finished), label + " >");
    start(() -> channelToSocket(channel, socket, finished), label + " <");
  }

  private static void socketToChannel(Socket socket, Channel channel, Runnable finished) {
    byte[] buffer = new byte[BUFFER];
    try {
      InputStream in = socket.getInputStream();
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          if (!socket.isClosed()) {
            channel.reset(ErrorCode.SERVICE_ERROR, "the TCP connection failed: " + e.getMessage());
          }
          abort(socket);
          return;
        }
        if (n < 0) {
          channel.halfClose();
          return;
        }
        channel.write(buffer, 0, n);
      }
    } catch (IOException channelGone) {
      abort(socket); // the channel was reset or its session ended: the socket cannot go on either
    } finally {
      finished.run();
    }
  }

  private static void channelToSocket(Channel channel, Socket socket, Runnable finished) {
    byte[] buffer = new byte[BUFFER];
    try {
      OutputStream out = socket.getOutputStream();
      while (true) {
        int n;
        try {
          n = channel.read(buffer, 0, buffer.length);
        } catch (IOException e) {
          abort(socket);
          return;
        }
        if (n < 0) {
          if (!socket.isClosed()) {
            socket.shutdownOutput();
          }
          return;
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException socketGone) {
      if (!socket.isClosed()) {
        channel.reset(ErrorCode.SERVICE_ERROR, "the TCP connection failed: " + socketGone.getMessage());
      }
      abort(socket);
    } finally {
      finished.run();
    }
  }

  /** Closes with RST, so the TCP peer learns the stream broke rather than ended. */
  public static void abort(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0);
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    closeQuietly(socket);
  }

  public static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // nothing left to do
    }
  }

  private static void start(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
