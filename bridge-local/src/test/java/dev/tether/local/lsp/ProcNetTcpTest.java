package dev.tether.local.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The samples are as a little-endian kernel (x86-64, arm64) prints them. */
class ProcNetTcpTest {
  private static final List<String> TCP = List.of(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0",
      "   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 2 1 0 20 4 30 10 -1");
  private static final List<String> TCP6 = List.of(
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 00000000000000000000000001000000:C351 00000000000000000000000001000000:1F91 01 00000000:00000000 00:00000000 00000000  1001        0 3 1 0",
      "   1: 0000000000000000FFFF00000100007F:C352 0000000000000000FFFF00000100007F:1F92 01 00000000:00000000 00:00000000 00000000  1002        0 4 1 0");

  private static InetSocketAddress at(String host, int port) throws IOException {
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }

  @Test
  void findsTheOwnerOfAnIpv4ConnectionByBothEnds() throws IOException {
    assertEquals(OptionalInt.of(65534), ProcNetTcp.ownerOf(TCP, at("127.0.0.1", 50000), at("127.0.0.1", 8080)));
    assertEquals(OptionalInt.empty(), ProcNetTcp.ownerOf(TCP, at("127.0.0.1", 50000), at("127.0.0.1", 8081)));
    assertEquals(OptionalInt.empty(), ProcNetTcp.ownerOf(TCP, at("127.0.0.1", 8080), at("127.0.0.1", 50000)));
  }

  @Test
  void findsIpv6AndIpv4MappedConnections() throws IOException {
    assertEquals(OptionalInt.of(1001), ProcNetTcp.ownerOf(TCP6, at("::1", 50001), at("::1", 8081)));
    assertEquals(OptionalInt.of(1002), ProcNetTcp.ownerOf(TCP6, at("127.0.0.1", 50002), at("127.0.0.1", 8082)));
  }

  @Test
  void findsOurOwnLiveConnectionInTheRealTables() throws IOException {
    long uid = new com.sun.security.auth.module.UnixSystem().getUid();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      OptionalInt owner = ProcNetTcp.ownerOf((InetSocketAddress) accepted.getRemoteSocketAddress(),
          (InetSocketAddress) accepted.getLocalSocketAddress());
      assertEquals(OptionalInt.of((int) uid), owner);
    }
  }
}
