package dev.tether.adapters.ext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Golden bytes of both framings, and what the newline reader does with empty, CRLF and overlong lines. */
class FramingTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String written(Framing framing, String body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    framing.write(out, bytes(body));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void contentLengthCountsUtf8Bytes() throws IOException {
    assertEquals("Content-Length: 10\r\n\r\n{\"a\":\"\u00e9\"}", written(Framing.CONTENT_LENGTH, "{\"a\":\"\u00e9\"}"));
  }

  @Test
  void newlineFramingEndsEachMessageWithALineFeedAndTurnsInnerLineBreaksIntoSpaces() throws IOException {
    assertEquals("{\"a\":1}\n", written(Framing.NEWLINE, "{\"a\":1}"));
    assertEquals("{ \"a\":  1}\n", written(Framing.NEWLINE, "{\n\"a\":\r\n1}"));
  }

  @Test
  void aBodyWithoutLineBreaksIsWrittenAsIs() {
    byte[] body = bytes("{\"a\":1}");
    assertSame(body, Framing.oneLine(body));
  }

  @Test
  void newlineReaderSkipsEmptyLinesDropsCarriageReturnsAndReadsAnUnterminatedLastLine() throws IOException {
    Framing.Reader reader = Framing.NEWLINE.reader(new ByteArrayInputStream(bytes("{\"a\":1}\r\n\n\r\n{\"b\":2}\n{\"c\":3}")), 1024);
    assertArrayEquals(bytes("{\"a\":1}"), reader.read());
    assertArrayEquals(bytes("{\"b\":2}"), reader.read());
    assertArrayEquals(bytes("{\"c\":3}"), reader.read());
    assertNull(reader.read());
  }

  @Test
  void aLineLongerThanTheLimitIsRefusedBeforeItIsBuffered() {
    Framing.Reader reader = Framing.NEWLINE.reader(new ByteArrayInputStream(bytes("0123456789ABCDEF\n")), 8);
    IOException e = assertThrows(IOException.class, reader::read);
    assertEquals("a line longer than 8 bytes", e.getMessage());
  }

  @Test
  void contentLengthReaderReadsWhatTheWriterWrote() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Framing.CONTENT_LENGTH.write(out, bytes("{\"x\":[1,2]}"));
    Framing.CONTENT_LENGTH.write(out, bytes("{}"));
    Framing.Reader reader = Framing.CONTENT_LENGTH.reader(new ByteArrayInputStream(out.toByteArray()), 1024);
    assertArrayEquals(bytes("{\"x\":[1,2]}"), reader.read());
    assertArrayEquals(bytes("{}"), reader.read());
    assertNull(reader.read());
  }

  @Test
  void framingNamesAreTheManifestsWords() {
    assertEquals(Framing.NEWLINE, Framing.named("newline"));
    assertEquals(Framing.CONTENT_LENGTH, Framing.named("content-length"));
    assertNull(Framing.named("Content-Length"));
  }
}
