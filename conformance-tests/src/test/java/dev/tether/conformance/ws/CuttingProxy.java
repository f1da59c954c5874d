package dev.tether.conformance.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a port: records every byte it carries (for captures) and can
 * cut every connection at once with a reset, as a network failure between the two machines would.
 */
public final class CuttingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final AtomicInteger accepted = new AtomicInteger();

  public CuttingProxy(int target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread thread = new Thread(this::acceptLoop, "proxy-accept");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  public int acceptedConnections() {
    return accepted.get();
  }

  /** Every byte carried so far, both directions. */
  public byte[] captured() {
    synchronized (captured) {
      return captured.toByteArray();
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(server);
        accepted.incrementAndGet();
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[65536];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          synchronized (captured) {
            captured.write(buffer, 0, n);
          }
          out.write(buffer, 0, n);
        }
      } catch (IOException ignored) {
        // cut or closed
      } finally {
        abort(from);
        abort(to);
      }
    }, "proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /** Resets every connection carried now; new ones are still accepted. */
  public void cutAll() {
    for (Socket socket : sockets) {
      abort(socket);
    }
    sockets.clear();
  }

  private static void abort(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    cutAll();
  }
}
