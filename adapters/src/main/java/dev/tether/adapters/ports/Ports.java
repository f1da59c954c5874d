package dev.tether.adapters.ports;

import com.google.gson.JsonObject;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The Java client API of forwarded ports: everything {@code tether forward} and {@code tether ports}
 * do, over any {@link ChannelOpener} ({@code session::open} on a session you hold, or
 * {@code DaemonClient.opener(spec)} through the per-user daemon). Every channel is opened from this
 * side. See docs/PORTS.md.
 */
public final class Ports {
  private final ChannelOpener opener;
  private final String hostLabel;

  public Ports(ChannelOpener opener) {
    this(opener, "host");
  }

  /** {@code hostLabel} names the host in the messages of forwards ("forwarding 127.0.0.1:8000 -> LABEL:8000"). */
  public Ports(ChannelOpener opener, String hostLabel) {
    this.opener = opener;
    this.hostLabel = hostLabel;
  }

  public String hostLabel() {
    return hostLabel;
  }

  /**
   * One TCP connection made on the host to {@code host:port} ({@code host} null: 127.0.0.1, then ::1),
   * as a byte channel. Refused with {@link dev.tether.mux.ChannelOpenException} code
   * {@code SERVICE_ERROR} when nothing listens there.
   */
  public Channel connect(String host, int port) throws IOException {
    JsonObject meta = new JsonObject();
    if (host != null) {
      meta.addProperty("host", host);
    }
    meta.addProperty("port", port);
    return opener.open(ChannelKinds.TCP_CONNECT, ChannelFlavour.BYTES, meta.toString());
  }

  /** A {@code ports} JSON-RPC client for repeated {@code ports/list} calls; close it when done. */
  public PortsClient client() throws IOException {
    return PortsClient.open(opener);
  }

  /** The host's listening sockets, once. */
  public PortList list() throws IOException {
    try (PortsClient client = client()) {
      return client.list();
    }
  }

  /**
   * Listens on {@code bind} locally and forwards every connection to {@code remoteHost:remotePort} on
   * the host (one {@code tcp.connect} channel per connection). With {@code anyPortIfBusy}, a busy
   * local port is replaced by a free one (see {@link LocalForward#localAddress}).
   */
  public LocalForward forward(InetSocketAddress bind, boolean anyPortIfBusy, String remoteHost, int remotePort,
      Consumer<String> problems) throws IOException {
    return LocalForward.start(this, bind, anyPortIfBusy, remoteHost, remotePort, problems);
  }

  /**
   * Listens on the host ({@code remoteBindHost} null: 127.0.0.1; port 0: any free port) and forwards
   * every connection made there to {@code target} on this machine.
   */
  public ReverseForward reverse(String remoteBindHost, int remotePort, InetSocketAddress target,
      Consumer<String> problems) throws IOException {
    return ReverseForward.start(opener, hostLabel, remoteBindHost, remotePort, target, problems);
  }

  /**
   * Forwards every port that starts listening on the host from now on, checking every
   * {@code interval} (polling {@code ports/list}); see {@link AutoForward}.
   */
  public AutoForward autoForward(String localBindHost, Duration interval, Consumer<String> events) throws IOException {
    return AutoForward.start(this, localBindHost, interval, events);
  }
}
