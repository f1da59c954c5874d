package dev.tether.local.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.local.conformance.RawFrames.Frame;
import dev.tether.local.conformance.RawFrames.Hello;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The checker's own codec against the hex examples printed in docs/PROTOCOL.md (§2.1, §4). */
class RawFramesTest {
  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  @Test
  void openEncodesAsTheDocumentPrintsIt() {
    byte[] payload = RawFrames.open(65536, 1, "lsp", "{\"server\":\"pylsp\"}");
    assertArrayEquals(hex("01 00 00000001 0000001b 0000000000000001 0000000000000000 00010000 01 03 6c7370"
        + " 7b22736572766572223a2270796c7370227d"), RawFrames.encode(new Frame(RawFrames.OPEN, 1, 1, 0, payload)));
  }

  @Test
  void resetDecodesWithCodeAndReason() throws IOException {
    Frame reset = RawFrames.read(new ByteArrayInputStream(
        hex("07 00 00000001 00000009 000000000000000a 0000000000000005 0003 6f76657272756e")));
    assertEquals(RawFrames.RESET, reset.type());
    assertEquals(10, reset.seq());
    assertEquals(5, reset.ack());
    assertEquals(3, reset.errorCode());
    assertEquals("overrun", reset.errorReason());
  }

  @Test
  void ackAndCleanEndOfStream() throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(hex("0b 00 00000000 00000000 0000000000000000 000000000000000a"));
    Frame ack = RawFrames.read(in);
    assertEquals(RawFrames.ACK, ack.type());
    assertEquals(10, ack.ack());
    assertNull(RawFrames.read(in), "end of stream between frames");
  }

  @Test
  void errorHelloOfTheDocumentParses() throws IOException {
    Hello hello = RawFrames.readHello(new ByteArrayInputStream(hex("544554484552 0100 00000021 0001 000c"
        + " 7465746865722d6d75782f31 0002 0000 0008 0009 000a 65787069726564")));
    assertTrue(hello.isError());
    assertEquals(10, hello.errorCode());
    assertEquals("expired", hello.errorReason());
    assertEquals("tether-mux/1", new String(hello.fields().get(1), StandardCharsets.UTF_8));
  }

  @Test
  void initiatorHelloCarriesTheFourTagsAndResumeAddsThree() throws IOException {
    Hello fresh = RawFrames.readHello(new ByteArrayInputStream(RawFrames.hello(1, "t/1", null, null, 0)));
    assertEquals(1, fresh.major());
    assertEquals(RawFrames.MAX_FRAME, fresh.u32(3));
    assertEquals("resume", new String(fresh.fields().get(2), StandardCharsets.UTF_8));
    assertEquals(java.util.Set.of(1, 2, 3, 4), fresh.fields().keySet());
    Hello resume = RawFrames.readHello(new ByteArrayInputStream(RawFrames.hello(1, "t/1", new byte[16], new byte[32], 42)));
    assertEquals(42, resume.u64(7));
    assertEquals(16, resume.fields().get(5).length);
  }

  @Test
  void aForeignPeerIsNotAHello() {
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> RawFrames.readHello(
        new ByteArrayInputStream("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII))));
    assertEquals("the peer's hello does not start with TETHER", e.getMessage());
  }
}
