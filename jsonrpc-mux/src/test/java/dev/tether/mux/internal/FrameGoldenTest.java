package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes for every frame type, exactly as docs/PROTOCOL.md shows them. A change here is a
 * wire-format change: bump the protocol version and update the document.
 */
class FrameGoldenTest {
  private static final HexFormat HEX = HexFormat.of();

  record Golden(String name, Frame frame, long ack, String hex) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Frame seq(FrameType type, int channel, long seq, byte[] payload) {
    return Frame.received(type, 0, channel, seq, payload);
  }

  static Golden[] goldens() {
    return new Golden[] {
      new Golden("OPEN", seq(FrameType.OPEN, 1, 1,
          Payloads.open(65536, ChannelFlavour.MESSAGES, "lsp", "{\"server\":\"pylsp\"}")), 0,
          "01 00 00000001 0000001b 0000000000000001 0000000000000000"
              + " 00010000 01 03 6c7370 7b22736572766572223a2270796c7370227d"),
      new Golden("OPEN_OK", seq(FrameType.OPEN_OK, 1, 1, Payloads.openOk(65536, "{\"pid\":42}")), 1,
          "02 00 00000001 0000000e 0000000000000001 0000000000000001 00010000 7b22706964223a34327d"),
      new Golden("OPEN_FAIL", seq(FrameType.OPEN_FAIL, 3, 2,
          Payloads.error(ErrorCode.CHANNEL_REFUSED, "no such server")), 1,
          "03 00 00000003 00000010 0000000000000002 0000000000000001 0005 6e6f2073756368207365727665 72"),
      new Golden("DATA", seq(FrameType.DATA, 1, 7, "hi".getBytes(StandardCharsets.UTF_8)), 5,
          "04 00 00000001 00000002 0000000000000007 0000000000000005 6869"),
      new Golden("CREDIT", seq(FrameType.CREDIT, 1, 8, Payloads.credit(32768)), 5,
          "05 00 00000001 00000004 0000000000000008 0000000000000005 00008000"),
      new Golden("HALF_CLOSE", seq(FrameType.HALF_CLOSE, 1, 9, Frame.EMPTY), 5,
          "06 00 00000001 00000000 0000000000000009 0000000000000005"),
      new Golden("RESET", seq(FrameType.RESET, 1, 10, Payloads.error(ErrorCode.FLOW_CONTROL_ERROR, "overrun")), 5,
          "07 00 00000001 00000009 000000000000000a 0000000000000005 0003 6f76657272756e"),
      new Golden("PING", new Frame(FrameType.PING, 0, Payloads.ping(0x0102030405060708L)), 5,
          "08 00 00000000 00000008 0000000000000000 0000000000000005 0102030405060708"),
      new Golden("PONG", new Frame(FrameType.PONG, 0, Payloads.ping(0x0102030405060708L)), 5,
          "09 00 00000000 00000008 0000000000000000 0000000000000005 0102030405060708"),
      new Golden("GOAWAY", new Frame(FrameType.GOAWAY, 0, Payloads.error(ErrorCode.NO_ERROR, "bye")), 10,
          "0a 00 00000000 00000005 0000000000000000 000000000000000a 0000 627965"),
      new Golden("ACK", new Frame(FrameType.ACK, 0, Frame.EMPTY), 10,
          "0b 00 00000000 00000000 0000000000000000 000000000000000a"),
    };
  }

  @ParameterizedTest
  @MethodSource("goldens")
  void encodesToTheDocumentedBytes(Golden golden) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(out);
    writer.write(golden.frame, golden.ack);
    writer.flush();
    assertEquals(golden.hex.replace(" ", ""), HEX.formatHex(out.toByteArray()));
  }

  @ParameterizedTest
  @MethodSource("goldens")
  void decodesBackToTheSameFrame(Golden golden) throws IOException {
    byte[] bytes = HEX.parseHex(golden.hex.replace(" ", ""));
    AtomicReference<Frame> got = new AtomicReference<>();
    AtomicReference<Long> ack = new AtomicReference<>();
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes), 65536);
    reader.nextFrame((frame, a) -> {
      got.set(frame);
      ack.set(a);
    });
    assertEquals(golden.frame.type, got.get().type);
    assertEquals(golden.frame.channel, got.get().channel);
    assertEquals(golden.frame.type.sequenced ? golden.frame.seq() : 0, got.get().seq());
    assertEquals(golden.ack, ack.get());
    assertArrayEquals(golden.frame.payload, got.get().payload);
  }

  @Test
  void payloadsParseBack() throws Exception {
    Payloads.Open open = Payloads.parseOpen(Payloads.open(7, ChannelFlavour.BYTES, "pty", "{}"));
    assertEquals(new Payloads.Open(7, ChannelFlavour.BYTES, "pty", "{}"), open);
    Payloads.Error error = Payloads.parseError(Payloads.error(ErrorCode.MESSAGE_TOO_LARGE, "big"));
    assertEquals(ErrorCode.MESSAGE_TOO_LARGE, error.code());
    assertEquals("big", error.reason());
    assertEquals(99, Payloads.parseCredit(Payloads.credit(99)));
  }

  @Test
  void malformedPayloadsAreRejectedWithTheReason() {
    assertThrows(MalformedPayloadException.class, () -> Payloads.parseCredit(new byte[3]));
    assertThrows(MalformedPayloadException.class, () -> Payloads.parseCredit(new byte[4]));
    assertThrows(MalformedPayloadException.class, () -> Payloads.parseOpen(new byte[] {0, 0, 0, 1, 9, 1, 'x'}));
    assertThrows(MalformedPayloadException.class, () -> Payloads.parseOpen(new byte[] {0, 0, 0, 1, 0, 9, 'x'}));
    assertThrows(MalformedPayloadException.class, () -> Payloads.parseError(new byte[1]));
  }

  @Test
  void longReasonsAreCutOnACharacterBoundary() throws Exception {
    String reason = "é".repeat(2000);
    Payloads.Error error = Payloads.parseError(Payloads.error(ErrorCode.INTERNAL_ERROR, reason));
    assertEquals(Payloads.MAX_REASON_BYTES / 2, error.reason().length());
  }

  @Test
  void unknownCodesDecodeAsUnknownButKeepTheirWireValue() throws Exception {
    byte[] payload = {0x12, 0x34, 'x'};
    Payloads.Error error = Payloads.parseError(payload);
    assertEquals(ErrorCode.UNKNOWN, error.code());
    assertEquals(0x1234, error.wireCode());
  }

  @Test
  void headerChecksAreSessionErrors() {
    assertHeaderRejected("ff 00 00000001 00000000 0000000000000001 0000000000000000", "unknown frame type");
    assertHeaderRejected("04 00 00000001 00010001 0000000000000001 0000000000000000", "exceeds the maximum frame size");
    assertHeaderRejected("04 00 00000000 00000000 0000000000000001 0000000000000000", "needs a channel id");
    assertHeaderRejected("08 00 00000001 00000008 0000000000000000 0000000000000000", "belongs on channel 0");
    assertHeaderRejected("04 00 00000001 00000000 0000000000000000 0000000000000000", "sequenced frames start at 1");
  }

  @Test
  void cleanEndOfStreamBetweenFramesIsNotAnError() throws IOException {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[0]), 65536);
    assertFalse(reader.nextFrame((frame, ack) -> { }));
  }

  @Test
  void endOfStreamInsideAFrameIsAnError() {
    byte[] bytes = HEX.parseHex(("04 00 00000001 00000002 0000000000000001 0000000000000000 68").replace(" ", ""));
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes), 65536);
    assertThrows(IOException.class, () -> reader.nextFrame((frame, ack) -> { }));
  }

  private static void assertHeaderRejected(String hex, String expected) {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(HEX.parseHex(hex.replace(" ", ""))), 65536);
    SessionProtocolException e = assertThrows(SessionProtocolException.class,
        () -> reader.nextFrame((frame, ack) -> { }));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
