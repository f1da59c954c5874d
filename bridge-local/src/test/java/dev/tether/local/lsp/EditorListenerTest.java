package dev.tether.local.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EditorListenerTest {
  @Test
  void loopbackAddressesAndUnixPathsAreAccepted() {
    for (String spec : new String[] {"127.0.0.1:0", "localhost:4000", "[::1]:4000", "127.9.9.9:65535"}) {
      EditorListener.Tcp tcp = (EditorListener.Tcp) EditorListener.parse(spec).address();
      assertTrue(tcp.address().getAddress().isLoopbackAddress(), spec);
    }
    assertEquals(new EditorListener.Unix(Path.of("/run/user/1/lsp.sock")),
        EditorListener.parse("unix:/run/user/1/x/../lsp.sock").address());
  }

  @Test
  void anythingElseIsAUsageErrorThatSaysWhy() {
    for (String spec : new String[] {"0.0.0.0:4000", "[::]:4000", "192.0.2.1:4000"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditorListener.parse(spec));
      assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }
    for (String spec : new String[] {"4000", ":4000", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", "unix:"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditorListener.parse(spec));
      assertTrue(e.getMessage().startsWith("--listen"), e.getMessage());
    }
  }
}
