package dev.tether.local.conformance;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A second encoder and decoder of the Tether wire format, written from docs/PROTOCOL.md (§2.1 hello,
 * §3 frame header, §4 payloads) rather than from the reference code, so that the conformance checks can
 * send what the reference implementation never would (a wrong major, an overrun, a frame for a channel
 * nobody opened). It checks nothing beyond what it needs to parse; the checks judge the peer.
 */
public final class RawFrames {
  public static final int OPEN = 0x01;
  public static final int OPEN_OK = 0x02;
  public static final int OPEN_FAIL = 0x03;
  public static final int DATA = 0x04;
  public static final int CREDIT = 0x05;
  public static final int HALF_CLOSE = 0x06;
  public static final int RESET = 0x07;
  public static final int PING = 0x08;
  public static final int PONG = 0x09;
  public static final int GOAWAY = 0x0A;
  public static final int ACK = 0x0B;

  static final int HEADER = 26;
  private static final byte[] MAGIC = "TETHER".getBytes(StandardCharsets.US_ASCII);
  /** §2.1: a hello body is at most 64 KiB; more is never read. */
  private static final int MAX_HELLO = 65536;
  /** What this reader accepts as a frame payload (it advertises the same in its hello). */
  static final int MAX_FRAME = 1 << 20;

  private RawFrames() {}

  /** One frame as on the wire (§3). */
  public record Frame(int type, int channel, long seq, long ack, byte[] payload) {
    public boolean sequenced() {
      return type >= OPEN && type <= RESET;
    }

    /** The u16 code of an OPEN_FAIL, RESET or GOAWAY payload (§4.3). */
    public int errorCode() {
      return payload.length < 2 ? -1 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    public String errorReason() {
      return payload.length < 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    public String describe() {
      String what = name(type) + " on channel " + channel;
      return type == OPEN_FAIL || type == RESET || type == GOAWAY
          ? what + " (" + errorCode() + " " + errorReason() + ")" : what;
    }
  }

  /** A hello (§2.1): its version and TLV fields by tag (last value wins; enough for the checks). */
  public record Hello(int major, int minor, Map<Integer, byte[]> fields) {
    public boolean isError() {
      return fields.containsKey(8);
    }

    public int errorCode() {
      byte[] v = fields.get(8);
      return ((v[0] & 0xff) << 8) | (v[1] & 0xff);
    }

    public String errorReason() {
      byte[] v = fields.get(8);
      return new String(v, 2, v.length - 2, StandardCharsets.UTF_8);
    }

    public long u32(int tag) {
      byte[] v = fields.get(tag);
      return v == null || v.length != 4 ? 0 : ByteBuffer.wrap(v).getInt() & 0xffffffffL;
    }

    public long u64(int tag) {
      byte[] v = fields.get(tag);
      return v == null || v.length != 8 ? -1 : ByteBuffer.wrap(v).getLong();
    }
  }

  public static String name(int type) {
    String[] names = {"?", "OPEN", "OPEN_OK", "OPEN_FAIL", "DATA", "CREDIT", "HALF_CLOSE", "RESET", "PING", "PONG",
        "GOAWAY", "ACK"};
    return type > 0 && type < names.length ? names[type] : "type 0x" + Integer.toHexString(type);
  }

  /** An initiator hello with tags 1-4 (and 5-7 to resume, when {@code sessionId} is given). */
  public static byte[] hello(int major, String agent, byte[] sessionId, byte[] token, long received) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    tlv(body, 1, agent.getBytes(StandardCharsets.UTF_8));
    tlv(body, 2, "resume".getBytes(StandardCharsets.UTF_8));
    tlv(body, 3, ByteBuffer.allocate(4).putInt(MAX_FRAME).array());
    tlv(body, 4, ByteBuffer.allocate(4).putInt(32 << 20).array());
    if (sessionId != null) {
      tlv(body, 5, sessionId);
      tlv(body, 6, token);
      tlv(body, 7, ByteBuffer.allocate(8).putLong(received).array());
    }
    byte[] fields = body.toByteArray();
    return ByteBuffer.allocate(12 + fields.length).put(MAGIC).put((byte) major).put((byte) 0)
        .putInt(fields.length).put(fields).array();
  }

  private static void tlv(ByteArrayOutputStream out, int tag, byte[] value) {
    out.writeBytes(ByteBuffer.allocate(4).putShort((short) tag).putShort((short) value.length).array());
    out.writeBytes(value);
  }

  public static Hello readHello(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] head = new byte[12];
    data.readFully(head);
    for (int i = 0; i < MAGIC.length; i++) {
      if (head[i] != MAGIC[i]) {
        throw new IOException("the peer's hello does not start with TETHER");
      }
    }
    ByteBuffer header = ByteBuffer.wrap(head);
    int length = header.getInt(8);
    if (length < 0 || length > MAX_HELLO) {
      throw new IOException("hello of " + (length & 0xffffffffL) + " bytes exceeds " + MAX_HELLO);
    }
    byte[] body = new byte[length];
    data.readFully(body);
    Map<Integer, byte[]> fields = new HashMap<>();
    ByteBuffer tlvs = ByteBuffer.wrap(body);
    while (tlvs.remaining() >= 4) {
      int tag = tlvs.getShort() & 0xffff;
      int size = tlvs.getShort() & 0xffff;
      if (size > tlvs.remaining()) {
        throw new IOException("hello field " + tag + " of " + size + " bytes overruns the hello");
      }
      byte[] value = new byte[size];
      tlvs.get(value);
      fields.put(tag, value);
    }
    return new Hello(head[6] & 0xff, head[7] & 0xff, fields);
  }

  public static byte[] encode(Frame frame) {
    return ByteBuffer.allocate(HEADER + frame.payload().length).put((byte) frame.type()).put((byte) 0)
        .putInt(frame.channel()).putInt(frame.payload().length).putLong(frame.seq()).putLong(frame.ack())
        .put(frame.payload()).array();
  }

  public static void write(OutputStream out, Frame frame) throws IOException {
    out.write(encode(frame));
    out.flush();
  }

  /** The next frame, or null at a clean end of stream between frames. */
  public static Frame read(InputStream in) throws IOException {
    byte[] head = new byte[HEADER];
    int first = in.read(head, 0, 1);
    if (first < 0) {
      return null;
    }
    new DataInputStream(in).readFully(head, 1, HEADER - 1);
    ByteBuffer header = ByteBuffer.wrap(head);
    int type = header.get(0) & 0xff;
    int channel = header.getInt(2);
    long length = header.getInt(6) & 0xffffffffL;
    if (length > MAX_FRAME) {
      throw new IOException(name(type) + " frame of " + length + " bytes exceeds the maximum frame size " + MAX_FRAME);
    }
    byte[] payload = new byte[(int) length];
    try {
      new DataInputStream(in).readFully(payload);
    } catch (EOFException e) {
      throw new EOFException("the stream ended inside a " + name(type) + " frame");
    }
    return new Frame(type, channel, header.getLong(10), header.getLong(18), payload);
  }

  /** OPEN payload (§4.1). */
  public static byte[] open(int window, int flavour, String kind, String metadata) {
    byte[] k = kind.getBytes(StandardCharsets.UTF_8);
    byte[] m = metadata.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(6 + k.length + m.length).putInt(window).put((byte) flavour).put((byte) k.length)
        .put(k).put(m).array();
  }

  /** Error payload (§4.3). */
  public static byte[] error(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r).array();
  }

  public static byte[] u32(long value) {
    return ByteBuffer.allocate(4).putInt((int) value).array();
  }

  /** One message record of a MESSAGES channel (§5): u32 length, then the body. */
  public static byte[] record(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }
}
