package dev.tether.local.lsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FirstMessageTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aWholeLspMessageIsReturnedAsItCame() throws IOException {
    String message = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 2\r\n\r\n{}";
    ByteArrayInputStream in = new ByteArrayInputStream(bytes(message + "Content-Length: 5"));
    assertArrayEquals(bytes(message), FirstMessage.read(in, 1024));
    assertEquals("Content-Length: 5", new String(in.readAllBytes(), StandardCharsets.UTF_8), "the rest is left unread");
  }

  @Test
  void anHttpRequestIsRefusedAtItsFirstByteWithoutWaitingForTheLine() {
    for (String start : new String[] {"GET / HTTP/1.1", "POST /x HTTP/1.1", "OPTIONS *", "PUT", "\u0016\u0003\u0001"}) {
      CountingStream in = new CountingStream(bytes(start));
      FirstMessage.NotLsp e = assertThrows(FirstMessage.NotLsp.class, () -> FirstMessage.read(in, 1024), start);
      assertTrue(e.getMessage().startsWith("not an LSP header"), e.getMessage());
      assertEquals(1, in.read, "bytes read before refusing " + start);
    }
  }

  @Test
  void unknownHeadersAndBadLengthsAreRefused() {
    for (String bad : new String[] {"X-Custom: 1\r\n", "Content-Lengthy: 2\r\n\r\n{}", "Content-Length: -2\r\n\r\n",
        "Content-Length: 99999\r\n\r\n", "Content-Length: 2\n\n{}", "Content-Type: x\r\n\r\n{}",
        "Content-Length: 5\r\n\r\nhello", "Content-Length: 1\r\n\r\n7"}) {
      assertThrows(FirstMessage.NotLsp.class, () -> FirstMessage.read(new ByteArrayInputStream(bytes(bad)), 1024), bad);
    }
  }

  @Test
  void aConnectionThatEndsEarlyIsNotAMessage() {
    assertThrows(EOFException.class, () -> FirstMessage.read(new ByteArrayInputStream(bytes("Content-Length: 10\r\n\r\n{}")), 1024));
    assertThrows(EOFException.class, () -> FirstMessage.read(new ByteArrayInputStream(bytes("Content-Len")), 1024));
  }

  /** Counts the bytes the code under test consumed. */
  private static final class CountingStream extends InputStream {
    private final byte[] data;
    int read;

    CountingStream(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return read < data.length ? data[read++] & 0xff : -1;
    }
  }
}
