package dev.tether.mux.internal;

import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ErrorCode;
import java.nio.charset.StandardCharsets;

/**
 * The one place that knows the payload layout of each control frame (docs/PROTOCOL.md, "Frames").
 * Parsing never trusts a length it has not checked against the payload it has.
 */
public final class Payloads {
  /** Reasons are for people; longer ones are cut so a peer cannot make us carry megabytes of text. */
  public static final int MAX_REASON_BYTES = 1024;
  public static final int MAX_KIND_BYTES = 255;

  private Payloads() {}

  public record Open(int window, ChannelFlavour flavour, String kind, String metadata) {}

  public record OpenOk(int window, String metadata) {}

  public record Error(ErrorCode code, int wireCode, String reason) {}

  public static byte[] open(int window, ChannelFlavour flavour, String kind, String metadata) {
    byte[] kindBytes = kind.getBytes(StandardCharsets.UTF_8);
    if (kindBytes.length == 0 || kindBytes.length > MAX_KIND_BYTES) {
      throw new IllegalArgumentException("channel kind must be 1.." + MAX_KIND_BYTES + " bytes: '" + kind + "'");
    }
    byte[] meta = metadata.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[6 + kindBytes.length + meta.length];
    Bytes.putInt(out, 0, window);
    out[4] = (byte) flavour.wire();
    out[5] = (byte) kindBytes.length;
    System.arraycopy(kindBytes, 0, out, 6, kindBytes.length);
    System.arraycopy(meta, 0, out, 6 + kindBytes.length, meta.length);
    return out;
  }

  public static Open parseOpen(byte[] p) throws MalformedPayloadException {
    require(p.length >= 7, "OPEN payload of " + p.length + " bytes is shorter than its 7-byte minimum");
    int window = nonNegativeWindow(Bytes.getInt(p, 0));
    ChannelFlavour flavour = ChannelFlavour.fromWire(p[4] & 0xFF);
    require(flavour != null, "OPEN names unknown channel flavour " + (p[4] & 0xFF));
    int kindLength = p[5] & 0xFF;
    require(kindLength > 0 && 6 + kindLength <= p.length, "OPEN kind length " + kindLength + " does not fit");
    String kind = new String(p, 6, kindLength, StandardCharsets.UTF_8);
    String metadata = new String(p, 6 + kindLength, p.length - 6 - kindLength, StandardCharsets.UTF_8);
    return new Open(window, flavour, kind, metadata);
  }

  public static byte[] openOk(int window, String metadata) {
    byte[] meta = metadata.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[4 + meta.length];
    Bytes.putInt(out, 0, window);
    System.arraycopy(meta, 0, out, 4, meta.length);
    return out;
  }

  public static OpenOk parseOpenOk(byte[] p) throws MalformedPayloadException {
    require(p.length >= 4, "OPEN_OK payload of " + p.length + " bytes is shorter than 4");
    return new OpenOk(nonNegativeWindow(Bytes.getInt(p, 0)), new String(p, 4, p.length - 4, StandardCharsets.UTF_8));
  }

  /** OPEN_FAIL, RESET and GOAWAY share one layout: a 16-bit code and a UTF-8 reason. */
  public static byte[] error(ErrorCode code, String reason) {
    byte[] text = truncate(reason == null ? "" : reason);
    byte[] out = new byte[2 + text.length];
    Bytes.putShort(out, 0, code.wire());
    System.arraycopy(text, 0, out, 2, text.length);
    return out;
  }

  public static Error parseError(byte[] p) throws MalformedPayloadException {
    require(p.length >= 2, "error payload of " + p.length + " bytes is shorter than 2");
    int wire = Bytes.getShort(p, 0);
    return new Error(ErrorCode.fromWire(wire), wire, new String(p, 2, p.length - 2, StandardCharsets.UTF_8));
  }

  public static byte[] credit(int increment) {
    byte[] out = new byte[4];
    Bytes.putInt(out, 0, increment);
    return out;
  }

  public static int parseCredit(byte[] p) throws MalformedPayloadException {
    require(p.length == 4, "CREDIT payload of " + p.length + " bytes, expected 4");
    int increment = Bytes.getInt(p, 0);
    require(increment > 0, "CREDIT increment " + (increment & 0xFFFFFFFFL) + " must be 1..2^31-1");
    return increment;
  }

  public static byte[] ping(long opaque) {
    byte[] out = new byte[8];
    Bytes.putLong(out, 0, opaque);
    return out;
  }

  public static long parsePing(byte[] p) throws MalformedPayloadException {
    require(p.length == 8, "PING/PONG payload of " + p.length + " bytes, expected 8");
    return Bytes.getLong(p, 0);
  }

  private static int nonNegativeWindow(int window) throws MalformedPayloadException {
    require(window >= 0, "window " + (window & 0xFFFFFFFFL) + " exceeds 2^31-1");
    return window;
  }

  private static byte[] truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return bytes;
    }
    int end = MAX_REASON_BYTES;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--; // never cut a UTF-8 sequence in half
    }
    byte[] cut = new byte[end];
    System.arraycopy(bytes, 0, cut, 0, end);
    return cut;
  }

  private static void require(boolean ok, String reason) throws MalformedPayloadException {
    if (!ok) {
      throw new MalformedPayloadException(reason);
    }
  }
}
