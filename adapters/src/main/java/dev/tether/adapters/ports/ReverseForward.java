package dev.tether.adapters.ports;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A listener on the host ({@code tcp.listen}) whose connections reach {@code target} on this machine.
 * For every {@code tcp/accepted} notification this side connects to the target first, then opens
 * {@code tcp.accepted} for that connection and splices the two; when the target refuses, it opens
 * the channel anyway and resets it at once, so the agent drops the waiting connection now rather
 * than after its claim timeout.
 *
 * <p>Threading: one thread reads the notifications; each connection is served on a thread of its own,
 * then pumped by {@link SocketSplice}. {@code problems} is called from those threads.
 */
public final class ReverseForward implements AutoCloseable {
  private final ChannelOpener opener;
  private final String hostLabel;
  private final Channel listen;
  private final String token;
  private final String remoteHost;
  private final int remotePort;
  private final InetSocketAddress target;
  private final Consumer<String> problems;
  private final CompletableFuture<String> ended = new CompletableFuture<>();

  private ReverseForward(ChannelOpener opener, String hostLabel, Channel listen, JsonObject ok, InetSocketAddress target,
      Consumer<String> problems) {
    this.opener = opener;
    this.hostLabel = hostLabel;
    this.listen = listen;
    this.token = ok.get("listener").getAsString();
    this.remoteHost = ok.get("host").getAsString();
    this.remotePort = ok.get("port").getAsInt();
    this.target = target;
    this.problems = problems;
  }

  static ReverseForward start(ChannelOpener opener, String hostLabel, String remoteBindHost, int remotePort, InetSocketAddress target,
      Consumer<String> problems) throws IOException {
    JsonObject meta = new JsonObject();
    if (remoteBindHost != null) {
      meta.addProperty("host", remoteBindHost);
    }
    meta.addProperty("port", remotePort);
    Channel listen = opener.open(ChannelKinds.TCP_LISTEN, ChannelFlavour.MESSAGES, meta.toString());
    ReverseForward forward;
    try {
      forward = new ReverseForward(opener, hostLabel, listen, JsonParser.parseString(listen.acceptMetadata()).getAsJsonObject(),
          target, problems);
    } catch (RuntimeException e) {
      listen.reset(ErrorCode.PROTOCOL_ERROR, "tcp.listen OPEN_OK lacks listener, host or port");
      throw new IOException("the agent answered tcp.listen without listener, host and port: " + listen.acceptMetadata());
    }
    Thread thread = new Thread(forward::readLoop, "reverse " + forward.remotePort);
    thread.setDaemon(true);
    thread.start();
    return forward;
  }

  /** The address the host listens on (its port is the one chosen there when 0 was asked). */
  public String remoteHost() {
    return remoteHost;
  }

  public int remotePort() {
    return remotePort;
  }

  public InetSocketAddress target() {
    return target;
  }

  /** Completes with a reason when the host's listener ends (channel closed or reset, session gone). */
  public CompletableFuture<String> ended() {
    return ended;
  }

  private void readLoop() {
    String reason = "the host closed the listener";
    try {
      byte[] message;
      while ((message = listen.readMessage()) != null) {
        JsonObject notification = JsonParser.parseString(new String(message, StandardCharsets.UTF_8)).getAsJsonObject();
        if (notification.has("method") && notification.get("method").getAsString().equals("tcp/accepted")) {
          long number = notification.getAsJsonObject("params").get("connection").getAsLong();
          Thread thread = new Thread(() -> serve(number), "reverse connect " + remotePort + "#" + number);
          thread.setDaemon(true);
          thread.start();
        }
      }
    } catch (IOException | RuntimeException e) {
      reason = e.getMessage();
    }
    ended.complete(reason);
  }

  private void serve(long number) {
    JsonObject meta = new JsonObject();
    meta.addProperty("listener", token);
    meta.addProperty("connection", number);
    Socket socket = new Socket();
    IOException refused = null;
    try {
      socket.connect(target, 10_000);
      socket.setTcpNoDelay(true);
    } catch (IOException e) {
      refused = e;
    }
    Channel channel;
    try {
      channel = opener.open(ChannelKinds.TCP_ACCEPTED, ChannelFlavour.BYTES, meta.toString());
    } catch (IOException e) {
      problems.accept(hostLabel + ":" + remotePort + " -> " + LocalForward.text(target) + ": " + e.getMessage());
      SocketSplice.abort(socket);
      return;
    }
    if (refused != null) {
      String why = "nothing accepts connections on " + LocalForward.text(target) + " on the local machine ("
          + refused.getMessage() + ")";
      problems.accept(hostLabel + ":" + remotePort + " -> " + LocalForward.text(target) + ": " + why);
      channel.reset(ErrorCode.SERVICE_ERROR, why);
      SocketSplice.closeQuietly(socket);
      return;
    }
    SocketSplice.join(socket, channel, "reverse " + remotePort + "#" + number);
  }

  /** Ends the listener on the host (connections already spliced go on). */
  @Override
  public void close() {
    listen.close();
  }
}
