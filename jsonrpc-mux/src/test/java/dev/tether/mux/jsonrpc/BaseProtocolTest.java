package dev.tether.mux.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BaseProtocolTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> decode(int limit, byte[]... chunks) throws IOException {
    List<String> out = new ArrayList<>();
    BaseProtocolDecoder decoder = new BaseProtocolDecoder(limit, body -> out.add(new String(body, StandardCharsets.UTF_8)));
    for (byte[] chunk : chunks) {
      decoder.feed(chunk, 0, chunk.length);
    }
    return out;
  }

  @Test
  void writesTheGoldenFraming() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BaseProtocol.write(out, utf8("{\"x\":\"\u00e9\"}"));
    assertEquals("Content-Length: 10\r\n\r\n{\"x\":\"\u00e9\"}", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void contentLengthCountsUtf8BytesNotCharacters() throws IOException {
    String body = "{\"m\":\"\u65e5\u672c\ud83d\ude00\"}";
    byte[] framed = utf8("Content-Length: " + utf8(body).length + "\r\n\r\n" + body);
    assertEquals(List.of(body), decode(1000, framed));
  }

  @Test
  void headerNamesAreCaseInsensitiveAndContentTypeIsOptional() throws IOException {
    assertEquals(List.of("{}"), decode(100, utf8("content-length: 2\r\n\r\n{}")));
    assertEquals(List.of("{}"), decode(100, utf8("CONTENT-LENGTH:2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}")));
    assertEquals(List.of("{}"), decode(100, utf8("Content-Type: x\r\nContent-Length: 2\r\nX-Other: y\r\n\r\n{}")));
  }

  @Test
  void messagesSplitAcrossReadsAndMergedInOneReadBothDecode() throws IOException {
    byte[] two = utf8("Content-Length: 7\r\n\r\n{\"a\":1}Content-Length: 7\r\n\r\n{\"b\":2}");
    assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), decode(100, two));
    List<byte[]> pieces = new ArrayList<>();
    for (byte b : two) {
      pieces.add(new byte[] {b});
    }
    assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), decode(100, pieces.toArray(byte[][]::new)));
  }

  @Test
  void anyRandomChunkingYieldsTheSameMessages() throws IOException {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    List<String> expected = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      String body = "{\"id\":" + i + ",\"pad\":\"" + "x".repeat(random.nextInt(300)) + "\"}";
      expected.add(body);
      BaseProtocol.write(stream, utf8(body));
    }
    byte[] all = stream.toByteArray();
    for (int round = 0; round < 20; round++) {
      List<byte[]> chunks = new ArrayList<>();
      for (int at = 0; at < all.length; ) {
        int n = Math.min(all.length - at, 1 + random.nextInt(500));
        chunks.add(java.util.Arrays.copyOfRange(all, at, at + n));
        at += n;
      }
      assertEquals(expected, decode(10_000, chunks.toArray(byte[][]::new)));
    }
  }

  @Test
  void bodiesAreTheExactBytesReceived() throws IOException {
    byte[] body = utf8("{ \"spacing\" :  [1,2 ] ,\"u\":\"\\u00e9\" }");
    List<byte[]> got = new ArrayList<>();
    BaseProtocolDecoder decoder = new BaseProtocolDecoder(1000, got::add);
    byte[] framed = utf8("Content-Length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8));
    decoder.feed(framed, 0, framed.length);
    assertArrayEquals(body, got.get(0));
  }

  @Test
  void anOversizedMessageIsRefusedWithTheLimitNamed() {
    BaseProtocolException e = assertThrows(BaseProtocolException.class,
        () -> decode(1000, utf8("Content-Length: 5000\r\n\r\n")));
    assertTrue(e.tooLarge());
    assertEquals("Content-Length 5000 exceeds the limit of 1000 bytes", e.getMessage());
  }

  @Test
  void malformedHeadersAreRefusedClearly() {
    assertEquals("LSP header without Content-Length: \"Content-Type: x\"",
        assertThrows(BaseProtocolException.class, () -> decode(100, utf8("Content-Type: x\r\n\r\n"))).getMessage());
    assertEquals("invalid Content-Length \"+5\"",
        assertThrows(BaseProtocolException.class, () -> decode(100, utf8("Content-Length: +5\r\n\r\n"))).getMessage());
    assertEquals("invalid Content-Length \"abc\"",
        assertThrows(BaseProtocolException.class, () -> decode(100, utf8("Content-Length: abc\r\n\r\n"))).getMessage());
    assertEquals("malformed LSP header line: \"{\"jsonrpc\"\"",
        assertThrows(BaseProtocolException.class, () -> decode(100, utf8("{\"jsonrpc\"\r\n\r\n"))).getMessage());
    BaseProtocolException endless = assertThrows(BaseProtocolException.class,
        () -> decode(100, utf8("X: " + "y".repeat(9000))));
    assertFalse(endless.tooLarge());
  }

  @Test
  void theBlockingReaderReportsATruncatedMessage() throws IOException {
    BaseProtocol.Reader clean = new BaseProtocol.Reader(new ByteArrayInputStream(utf8("Content-Length: 2\r\n\r\n{}")), 100);
    assertArrayEquals(utf8("{}"), clean.read());
    assertNull(clean.read());
    BaseProtocol.Reader truncated = new BaseProtocol.Reader(new ByteArrayInputStream(utf8("Content-Length: 9\r\n\r\n{}")), 100);
    assertThrows(BaseProtocolException.class, truncated::read);
  }

  @Test
  void aDeclaredContentLengthIsNotAllocatedBeforeTheBodyArrives() throws IOException {
    List<byte[]> out = new ArrayList<>();
    BaseProtocolDecoder decoder = new BaseProtocolDecoder(64 * 1024 * 1024, out::add);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    byte[] start = utf8("Content-Length: 67108864\r\n\r\n0123456789");
    long before = threads.getCurrentThreadAllocatedBytes();
    decoder.feed(start, 0, start.length);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 1024 * 1024, "allocated " + allocated + " bytes for 10 bytes of a 64 MiB body");
    assertTrue(decoder.bodyCapacity() <= BaseProtocolDecoder.INITIAL_BODY_BUFFER, "" + decoder.bodyCapacity());
    assertTrue(out.isEmpty());
  }

  @Test
  void aBodyLargerThanTheFirstBufferArrivesWholeInAnyChunking() throws IOException {
    byte[] body = new byte[100_000];
    new Random(3).nextBytes(body);
    byte[] head = utf8("Content-Length: " + body.length + "\r\n\r\n");
    List<byte[]> out = new ArrayList<>();
    BaseProtocolDecoder decoder = new BaseProtocolDecoder(1 << 20, out::add);
    decoder.feed(head, 0, head.length);
    for (int at = 0; at < body.length; at += 7_001) {
      decoder.feed(body, at, Math.min(7_001, body.length - at));
    }
    assertEquals(1, out.size());
    assertArrayEquals(body, out.get(0));
  }
}
