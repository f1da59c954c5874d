package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.ErrorCode;
import dev.tether.mux.NotTetherException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HelloTest {
  @Test
  void initiatorHelloHasTheDocumentedBytes() throws IOException {
    Hello hello = new Hello(1, 0, "t/1", Set.of("resume"), 32768, 1 << 20, null, null, -1, null, null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    hello.writeTo(out);
    String expected = "544554484552" + "01" + "00" + "00000021"
        + "0001" + "0003" + "742f31"
        + "0002" + "0006" + "726573756d65"
        + "0003" + "0004" + "00008000"
        + "0004" + "0004" + "00100000";
    assertEquals(expected, HexFormat.of().formatHex(out.toByteArray()));
  }

  @Test
  void roundTripsEveryField() throws IOException {
    byte[] id = new byte[16];
    id[0] = 7;
    byte[] token = new byte[32];
    token[31] = 9;
    Hello hello = new Hello(1, 3, "agent", Set.of("resume", "x"), 4096, 1 << 20, id, token, 77,
        ErrorCode.UNKNOWN_SESSION, "gone");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    hello.writeTo(out);
    Hello back = Hello.readFrom(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(1, back.major());
    assertEquals(3, back.minor());
    assertEquals(Set.of("resume", "x"), back.capabilities());
    assertEquals(4096, back.maxFrameSize());
    assertArrayEquals(id, back.sessionId());
    assertArrayEquals(token, back.resumeToken());
    assertEquals(77, back.received());
    assertEquals(ErrorCode.UNKNOWN_SESSION, back.errorCode());
    assertEquals("gone", back.errorReason());
  }

  @Test
  void unknownTagsAreIgnored() throws IOException {
    byte[] bytes = HexFormat.of().parseHex("544554484552" + "0100" + "00000009" + "0063" + "0001" + "ff"
        + "0001" + "0000");
    Hello back = Hello.readFrom(new ByteArrayInputStream(bytes));
    assertEquals("", back.agent());
  }

  @Test
  void aForeignPeerIsQuotedInTheError() {
    byte[] shell = "bash: tether-remote: command not found\n".getBytes(StandardCharsets.UTF_8);
    NotTetherException e = assertThrows(NotTetherException.class,
        () -> Hello.readFrom(new ByteArrayInputStream(shell)));
    assertTrue(e.getMessage().contains("bash: tether-remote: command not found"), e.getMessage());
  }

  @Test
  void silenceThenEndOfStreamSaysSo() {
    NotTetherException e = assertThrows(NotTetherException.class,
        () -> Hello.readFrom(new ByteArrayInputStream(new byte[0])));
    assertTrue(e.getMessage().contains("closed the connection before"), e.getMessage());
  }

  @Test
  void oversizedHelloIsRefused() {
    byte[] bytes = HexFormat.of().parseHex("544554484552" + "0100" + "7fffffff");
    assertThrows(SessionProtocolException.class, () -> Hello.readFrom(new ByteArrayInputStream(bytes)));
  }
}
