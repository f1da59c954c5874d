package dev.tether.mux.internal;

/**
 * Frame types with their wire codes. A <em>sequenced</em> frame carries a sequence number, sits in the
 * replay buffer until acknowledged and is retransmitted after a resume; the others are
 * transport-scoped and die with the transport.
 */
public enum FrameType {
  OPEN(0x01, true),
  OPEN_OK(0x02, true),
  OPEN_FAIL(0x03, true),
  DATA(0x04, true),
  CREDIT(0x05, true),
  HALF_CLOSE(0x06, true),
  RESET(0x07, true),
  PING(0x08, false),
  PONG(0x09, false),
  GOAWAY(0x0A, false),
  ACK(0x0B, false);

  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  public final int code;
  public final boolean sequenced;

  FrameType(int code, boolean sequenced) {
    this.code = code;
    this.sequenced = sequenced;
  }

  /** Returns the type for a wire code, or null when the code is not one this version knows. */
  public static FrameType fromCode(int code) {
    return BY_CODE[code & 0xFF];
  }

  /** Session-scoped frames travel on channel 0; all others name a channel. */
  public boolean sessionScoped() {
    return this == PING || this == PONG || this == GOAWAY || this == ACK;
  }
}
