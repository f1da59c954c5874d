package dev.tether.local.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackPeersTest {
  @TempDir Path proc;

  @Test
  void findsTheUidOfTheClientEndInTheKernelsTables() throws IOException {
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/tcp"), String.join("\n",
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1228 1",
        "   1: 0100007F:9CCF 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 4242 1",
        "   2: 0100007F:1F90 0100007F:9CCF 01 00000000:00000000 00:00000000 00000000  1000        0 4243 1", ""));
    LoopbackPeers peers = new LoopbackPeers(proc);
    assertEquals(OptionalInt.of(65534), peers.peerUid(0x9CCF, 0x1F90));
    assertEquals(OptionalInt.empty(), peers.peerUid(0x9CD0, 0x1F90));
  }

  @Test
  void aRealLoopbackClientOfThisProcessIsThisUser() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      assertEquals(OptionalInt.of(LoopbackPeers.ownUid()), LoopbackPeers.system().peerUid(accepted));
    }
  }
}
