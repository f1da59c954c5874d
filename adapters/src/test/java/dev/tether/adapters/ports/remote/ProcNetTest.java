package dev.tether.adapters.ports.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.ports.ListeningSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcNetTest {
  static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

  @Test
  void listenRowsOfTcpAreDecoded() {
    List<ListeningSocket> sockets = ProcNet.parse("tcp", List.of(HEADER,
        "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 640 1 0 100 0 0 10 0",
        "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 417142 1 0 100 0 0 10 0",
        "   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 417143 1 0 100 0 0 10 0"));
    assertEquals(2, sockets.size(), "the ESTABLISHED row (st 01) is not a listener: " + sockets);
    assertEquals("0.0.0.0", sockets.get(0).address);
    assertEquals(2024, sockets.get(0).port);
    assertEquals("127.0.0.1", sockets.get(1).address);
    assertEquals(8080, sockets.get(1).port);
    assertEquals(1000, sockets.get(1).uid);
    assertEquals(417142, sockets.get(1).inode);
  }

  @Test
  void ipv6AddressesAreDecodedWordByWord() {
    assertEquals("::1", ProcNet.address("00000000000000000000000001000000"));
    assertEquals("::", ProcNet.address("00000000000000000000000000000000"));
    assertEquals("fe80:0:0:0:0:0:0:1", ProcNet.address("000080FE000000000000000001000000"));
  }

  /** This very JVM's listener, found with its pid through /proc/PID/fd. */
  @Test
  void aRealListenerIsFoundWithThisProcessAsOwner() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      ListeningSocket found = ProcNet.system().listening().stream()
          .filter(s -> s.port == socket.getLocalPort()).findFirst().orElse(null);
      assertNotNull(found, "port " + socket.getLocalPort() + " in /proc/net/tcp");
      assertEquals("127.0.0.1", found.address);
      assertEquals(ProcessHandle.current().pid(), found.pid);
      assertTrue(found.command.contains("java"), found.command);
    }
  }
}
