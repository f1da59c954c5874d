package dev.tether.mux.internal;

import dev.tether.mux.ErrorCode;
import dev.tether.mux.NotTetherException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The preamble each side sends before any frame: magic, protocol version, then settings as
 * tag-length-value fields (docs/PROTOCOL.md, "Handshake"). Unknown tags are ignored so that a newer
 * minor version can add settings.
 */
public record Hello(
    int major,
    int minor,
    String agent,
    Set<String> capabilities,
    int maxFrameSize,
    long replayLimit,
    byte[] sessionId,
    byte[] resumeToken,
    long received,
    ErrorCode errorCode,
    String errorReason) {

  public static final byte[] MAGIC = "TETHER".getBytes(StandardCharsets.US_ASCII);
  public static final int MAJOR = dev.tether.mux.ProtocolVersion.MAJOR;
  public static final int MINOR = dev.tether.mux.ProtocolVersion.MINOR;
  public static final int MAX_HELLO_BYTES = 64 * 1024;

  static final int TAG_AGENT = 1;
  static final int TAG_CAPABILITIES = 2;
  static final int TAG_MAX_FRAME = 3;
  static final int TAG_REPLAY_LIMIT = 4;
  static final int TAG_SESSION_ID = 5;
  static final int TAG_RESUME_TOKEN = 6;
  static final int TAG_RECEIVED = 7;
  static final int TAG_ERROR = 8;

  /** A hello that only reports an error, sent by an acceptor before it hangs up. */
  public static Hello error(String agent, ErrorCode code, String reason) {
    return new Hello(MAJOR, MINOR, agent, Set.of(), 0, 0, null, null, -1, code, reason);
  }

  public boolean isError() {
    return errorCode != null;
  }

  public boolean isResume() {
    return sessionId != null && received >= 0;
  }

  public void writeTo(OutputStream out) throws IOException {
    ByteArrayOutputStream fields = new ByteArrayOutputStream();
    if (agent != null) {
      field(fields, TAG_AGENT, agent.getBytes(StandardCharsets.UTF_8));
    }
    field(fields, TAG_CAPABILITIES, String.join(",", capabilities).getBytes(StandardCharsets.UTF_8));
    if (maxFrameSize != 0) { // a u32 held in an int: 2^31 and above read back negative, and are sent as read
      field(fields, TAG_MAX_FRAME, u32(maxFrameSize & 0xFFFFFFFFL));
    }
    if (replayLimit > 0) {
      field(fields, TAG_REPLAY_LIMIT, u32(replayLimit));
    }
    if (sessionId != null) {
      field(fields, TAG_SESSION_ID, sessionId);
    }
    if (resumeToken != null) {
      field(fields, TAG_RESUME_TOKEN, resumeToken);
    }
    if (received >= 0) {
      byte[] value = new byte[8];
      Bytes.putLong(value, 0, received);
      field(fields, TAG_RECEIVED, value);
    }
    if (errorCode != null) {
      field(fields, TAG_ERROR, Payloads.error(errorCode, errorReason));
    }
    byte[] body = fields.toByteArray();
    byte[] head = new byte[MAGIC.length + 6];
    System.arraycopy(MAGIC, 0, head, 0, MAGIC.length);
    head[MAGIC.length] = (byte) major;
    head[MAGIC.length + 1] = (byte) minor;
    Bytes.putInt(head, MAGIC.length + 2, body.length);
    out.write(head);
    out.write(body);
    out.flush();
  }

  /**
   * Reads a hello. When the bytes are not a Tether preamble (a shell printing an error, a banner, an
   * HTTP server), the exception quotes what arrived, since that text is usually the diagnosis.
   */
  public static Hello readFrom(InputStream in) throws IOException {
    byte[] head = new byte[MAGIC.length + 6];
    int got = readUpTo(in, head, 0, MAGIC.length);
    if (got < MAGIC.length || !Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC)) {
      throw new NotTetherException(describeForeign(in, head, got));
    }
    if (readUpTo(in, head, MAGIC.length, head.length - MAGIC.length) < head.length - MAGIC.length) {
      throw new EOFException("peer closed the connection inside the Tether preamble");
    }
    int length = Bytes.getInt(head, MAGIC.length + 2);
    if (length < 0 || length > MAX_HELLO_BYTES) {
      throw SessionProtocolException.protocol("hello of " + (length & 0xFFFFFFFFL) + " bytes exceeds " + MAX_HELLO_BYTES);
    }
    byte[] body = new byte[length];
    if (readUpTo(in, body, 0, length) < length) {
      throw new EOFException("peer closed the connection inside its hello");
    }
    return parse(head[MAGIC.length] & 0xFF, head[MAGIC.length + 1] & 0xFF, body);
  }

  static Hello parse(int major, int minor, byte[] body) throws SessionProtocolException {
    String agent = null;
    Set<String> capabilities = new LinkedHashSet<>();
    int maxFrame = 0;
    long replayLimit = 0;
    byte[] sessionId = null;
    byte[] token = null;
    long received = -1;
    ErrorCode errorCode = null;
    String errorReason = null;
    int at = 0;
    while (at < body.length) {
      if (at + 4 > body.length) {
        throw SessionProtocolException.protocol("truncated hello field at offset " + at);
      }
      int tag = Bytes.getShort(body, at);
      int length = Bytes.getShort(body, at + 2);
      at += 4;
      if (at + length > body.length) {
        throw SessionProtocolException.protocol("hello field " + tag + " of " + length + " bytes overruns the hello");
      }
      byte[] value = Arrays.copyOfRange(body, at, at + length);
      at += length;
      switch (tag) {
        case TAG_AGENT -> agent = new String(value, StandardCharsets.UTF_8);
        case TAG_CAPABILITIES -> capabilities.addAll(splitCapabilities(value));
        case TAG_MAX_FRAME -> maxFrame = (int) fixed(value, 4, "max frame size");
        case TAG_REPLAY_LIMIT -> replayLimit = fixed(value, 4, "replay limit");
        case TAG_SESSION_ID -> sessionId = value;
        case TAG_RESUME_TOKEN -> token = value;
        case TAG_RECEIVED -> received = nonNegative(fixed(value, 8, "received"), "received");
        case TAG_ERROR -> {
          try {
            Payloads.Error error = Payloads.parseError(value);
            errorCode = error.code();
            errorReason = error.reason();
          } catch (MalformedPayloadException e) {
            throw SessionProtocolException.protocol("hello error field: " + e.getMessage());
          }
        }
        default -> { } // a setting from a newer minor version: ignored by design
      }
    }
    return new Hello(major, minor, agent, capabilities, maxFrame, replayLimit, sessionId, token, received,
        errorCode, errorReason);
  }

  private static Set<String> splitCapabilities(byte[] value) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : new String(value, StandardCharsets.UTF_8).split(",")) {
      if (!name.isBlank()) {
        out.add(name.trim());
      }
    }
    return out;
  }

  private static long fixed(byte[] value, int size, String what) throws SessionProtocolException {
    if (value.length != size) {
      throw SessionProtocolException.protocol("hello " + what + " has " + value.length + " bytes, expected " + size);
    }
    return size == 4 ? Bytes.getInt(value, 0) & 0xFFFFFFFFL : Bytes.getLong(value, 0);
  }

  private static long nonNegative(long value, String what) throws SessionProtocolException {
    if (value < 0) {
      throw SessionProtocolException.protocol("hello " + what + " " + Long.toUnsignedString(value) + " exceeds 2^63-1");
    }
    return value;
  }

  private static byte[] u32(long value) {
    byte[] out = new byte[4];
    Bytes.putInt(out, 0, (int) value);
    return out;
  }

  private static void field(ByteArrayOutputStream out, int tag, byte[] value) {
    if (value.length > 0xFFFF) {
      throw new IllegalArgumentException("hello field " + tag + " too long: " + value.length);
    }
    byte[] head = new byte[4];
    Bytes.putShort(head, 0, tag);
    Bytes.putShort(head, 2, value.length);
    out.writeBytes(head);
    out.writeBytes(value);
  }

  /** Reads until {@code length} bytes or end of stream; returns how many arrived. */
  private static int readUpTo(InputStream in, byte[] buffer, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      int n = in.read(buffer, offset + done, length - done);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }

  /** Quotes the first line the foreign peer sent (up to 200 bytes), which usually names the problem. */
  private static String describeForeign(InputStream in, byte[] head, int got) throws IOException {
    if (got == 0) {
      return "the peer closed the connection before sending the Tether preamble";
    }
    byte[] sample = Arrays.copyOf(head, 200);
    int have = got;
    boolean lineEnded = new String(sample, 0, have, StandardCharsets.ISO_8859_1).indexOf('\n') >= 0;
    while (have < sample.length && !lineEnded) {
      int n = in.read(sample, have, 1);
      if (n < 0) {
        break;
      }
      lineEnded = sample[have] == '\n';
      have += n;
    }
    String text = new String(sample, 0, have, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", " ").strip();
    return "the peer is not a Tether agent; it sent: \"" + text + "\"";
  }

  @Override
  public String toString() {
    return "Hello[" + major + "." + minor + " agent=" + agent + " caps=" + capabilities
        + (isError() ? " error=" + errorCode + " " + errorReason : "") + "]";
  }
}
