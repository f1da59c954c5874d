package dev.tether.adapters.ports;

import dev.tether.mux.Channel;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;

/**
 * A local listening socket whose every connection becomes one {@code tcp.connect} channel to the
 * host, spliced by {@link SocketSplice}. A refused channel (nothing listens there) closes that
 * connection with RST and reports the agent's reason to {@code problems}; the forward goes on.
 *
 * <p>Threading: one accept thread; each connection opens its channel on a thread of its own (an open
 * waits for the host), then {@link SocketSplice} pumps it on two more. {@code problems} is called from
 * those threads. {@link #close} may be called from any thread.
 */
public final class LocalForward implements AutoCloseable {
  private final Ports ports;
  private final ServerSocket server;
  private final String remoteHost;
  private final int remotePort;
  private final Consumer<String> problems;

  private LocalForward(Ports ports, ServerSocket server, String remoteHost, int remotePort, Consumer<String> problems) {
    this.ports = ports;
    this.server = server;
    this.remoteHost = remoteHost;
    this.remotePort = remotePort;
    this.problems = problems;
  }

  static LocalForward start(Ports ports, InetSocketAddress bind, boolean anyPortIfBusy, String remoteHost,
      int remotePort, Consumer<String> problems) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    try {
      server.bind(bind);
    } catch (BindException busy) {
      if (!anyPortIfBusy || bind.getPort() == 0) {
        server.close();
        throw new BindException("cannot listen on " + text(bind) + " here: " + busy.getMessage());
      }
      server.close();
      server = new ServerSocket();
      server.bind(new InetSocketAddress(bind.getAddress(), 0));
    }
    LocalForward forward = new LocalForward(ports, server, remoteHost, remotePort, problems);
    Thread thread = new Thread(forward::acceptLoop, "forward " + text(forward.localAddress()));
    thread.setDaemon(true);
    thread.start();
    return forward;
  }

  /** Where this side listens (the port may differ from the one asked for when that was busy). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Null: the host's loopback. */
  public String remoteHost() {
    return remoteHost;
  }

  public int remotePort() {
    return remotePort;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException closed) {
        return;
      }
      Thread thread = new Thread(() -> connect(socket), "forward connect " + remotePort);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void connect(Socket socket) {
    Channel channel;
    try {
      socket.setTcpNoDelay(true);
      channel = ports.connect(remoteHost, remotePort);
    } catch (IOException e) {
      problems.accept(text(localAddress()) + " -> " + (remoteHost == null ? ports.hostLabel() : remoteHost) + ":"
          + remotePort + ": " + e.getMessage());
      SocketSplice.abort(socket);
      return;
    }
    SocketSplice.join(socket, channel, "forward " + remotePort);
  }

  static String text(InetSocketAddress address) {
    String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** Stops listening; connections already made go on until either end closes them. */
  @Override
  public void close() {
    SocketSplice.closeQuietly(server);
  }
}
