package dev.tether.local.dap;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Who is on the other end of a loopback TCP connection: the uid owning the peer's socket, read from the
 * kernel's socket tables ({@code /proc/net/tcp} and {@code tcp6}, Linux). {@code tether dap --listen}
 * serves only its own user: a debug adapter runs programs as that user, and any local account can reach
 * a loopback port.
 */
public final class LoopbackPeers {
  private final Path proc;

  public LoopbackPeers(Path proc) {
    this.proc = proc;
  }

  public static LoopbackPeers system() {
    return new LoopbackPeers(Path.of("/proc"));
  }

  /** The uid owning the client end of {@code accepted}, if the tables show it. */
  public OptionalInt peerUid(Socket accepted) throws IOException {
    return peerUid(accepted.getPort(), accepted.getLocalPort());
  }

  /** The uid of the socket whose local port is {@code peerPort} and remote port {@code ourPort}. */
  OptionalInt peerUid(int peerPort, int ourPort) throws IOException {
    for (String table : List.of("net/tcp", "net/tcp6")) {
      Path file = proc.resolve(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 7 && f[1].contains(":") && port(f[1]) == peerPort && port(f[2]) == ourPort) {
          return OptionalInt.of(Integer.parseInt(f[7]));
        }
      }
    }
    return OptionalInt.empty();
  }

  private static int port(String hexAddress) {
    try {
      return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** This process's uid. */
  public static int ownUid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }
}
