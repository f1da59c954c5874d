package dev.tether.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** TCP connections on 127.0.0.1, Nagle off, as the library's socket transport sets them up. */
final class Loopback {
  private Loopback() {}

  /** Both ends of one loopback connection. */
  record SocketPair(Socket client, Socket server) {}

  /**
   * Connects a new pair. {@code bufferBytes} above 0 fixes both sockets' send and receive buffers
   * (which turns off the kernel's autotuning); 0 leaves them to the kernel.
   */
  static SocketPair connect(int bufferBytes) throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket listener = new ServerSocket()) {
      if (bufferBytes > 0) {
        listener.setReceiveBufferSize(bufferBytes); // before bind, so the window scale is chosen for it
      }
      listener.bind(new InetSocketAddress(loopback, 0), 1);
      Socket client = new Socket();
      sizeBuffers(client, bufferBytes);
      client.connect(listener.getLocalSocketAddress());
      Socket server = listener.accept();
      sizeBuffers(server, bufferBytes);
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
      return new SocketPair(client, server);
    }
  }

  private static void sizeBuffers(Socket socket, int bytes) throws IOException {
    if (bytes > 0) {
      socket.setSendBufferSize(bytes);
      socket.setReceiveBufferSize(bytes);
    }
  }
}
