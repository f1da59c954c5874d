package dev.tether.adapters.ports;

import java.util.Objects;

/**
 * One LISTEN socket of the host, from {@code /proc/net/tcp} or {@code /proc/net/tcp6}. {@code pid}
 * and {@code command} are null when the owning process is not visible to the agent's user.
 */
public final class ListeningSocket {
  /** {@code tcp} or {@code tcp6}. */
  public String protocol;
  /** The bound address as text: {@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1}, {@code ::}. */
  public String address;
  public int port;
  public long inode;
  public int uid;
  public Long pid;
  /** The owner's command line (arguments joined by spaces), or its {@code comm} when that is empty. */
  public String command;

  public ListeningSocket() {}

  /** Reachable by a {@code tcp.connect} to 127.0.0.1 or ::1: bound to loopback or to every address. */
  public boolean loopbackReachable() {
    return address != null && (address.equals("127.0.0.1") || address.equals("0.0.0.0") || address.equals("::1")
        || address.equals("::") || address.startsWith("127."));
  }

  @Override
  public String toString() {
    return protocol + " " + address + ":" + port + " pid " + pid + " " + command;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ListeningSocket s && s.port == port && s.inode == inode && Objects.equals(s.protocol, protocol)
        && Objects.equals(s.address, address);
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocol, address, port, inode);
  }
}
