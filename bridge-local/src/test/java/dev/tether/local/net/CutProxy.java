package dev.tether.local.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a host's sshd, which the SSH client reaches through its
 * {@code Port}: {@link #cut} resets every connection through it at once (SO_LINGER 0, so both ends
 * get a reset, as when a NAT forgets a flow), while new connections go on being served. Optionally
 * it holds each chunk for a fixed delay in each direction (latency on a path with no sch_netem).
 *
 * <p>Threading: one accept thread, two pump threads per connection; {@link #cut} and {@link #close}
 * from any thread.
 */
public final class CutProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final boolean delayed;
  private volatile long delayMillis;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();

  private CutProxy(InetSocketAddress target, boolean delayed) throws IOException {
    this.target = target;
    this.delayed = delayed;
    listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread thread = new Thread(this::acceptLoop, "cut-proxy accept " + listener.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  public static CutProxy to(String host, int port) throws IOException {
    return new CutProxy(new InetSocketAddress(host, port), false);
  }

  /** A proxy that can delay every chunk in each direction ({@link #delay}), none at first. */
  public static CutProxy delaying(String host, int port) throws IOException {
    return new CutProxy(new InetSocketAddress(host, port), true);
  }

  /** From now on, each chunk is written {@code oneWayMillis} after it was read, in each direction. */
  public void delay(long oneWayMillis) {
    delayMillis = oneWayMillis;
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Resets every connection open now (both sides); returns how many there were. */
  public int cut() {
    int n = 0;
    for (Socket socket : open) {
      open.remove(socket);
      abort(socket);
      n++;
    }
    return n / 2;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        try {
          server.connect(target, 10_000);
        } catch (IOException e) {
          abort(client);
          continue;
        }
        accepted.incrementAndGet();
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        open.add(client);
        open.add(server);
        pump(client, server, "up");
        pump(server, client, "down");
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to, String direction) {
    if (delayed) {
      delayedPump(from, to, direction);
      return;
    }
    daemon(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException e) {
        abort(from);
        abort(to);
      }
    }, "cut-proxy " + direction);
  }

  /** Each chunk is written {@code delayMillis} after it was read: latency without a bandwidth cap. */
  private void delayedPump(Socket from, Socket to, String direction) {
    java.util.concurrent.BlockingQueue<Object[]> queue = new java.util.concurrent.LinkedBlockingQueue<>();
    daemon(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          queue.add(new Object[] {System.nanoTime() + delayMillis * 1_000_000, java.util.Arrays.copyOf(buffer, n)});
        }
      } catch (IOException e) {
        abort(from);
        abort(to);
      }
      queue.add(new Object[] {System.nanoTime() + delayMillis * 1_000_000, null});
    }, "cut-proxy read " + direction);
    daemon(() -> {
      try (OutputStream out = to.getOutputStream()) {
        while (true) {
          Object[] chunk = queue.take();
          long wait = (long) chunk[0] - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // the emulated path's latency
          }
          if (chunk[1] == null) {
            to.shutdownOutput();
            return;
          }
          out.write((byte[]) chunk[1]);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        abort(from);
        abort(to);
      }
    }, "cut-proxy write " + direction);
  }

  private static void daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void abort(Socket socket) {
    try {
      socket.setSoLinger(true, 0); // close with a reset
      socket.close();
    } catch (IOException ignored) {
      // closed already
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closed already
    }
    cut();
  }
}
