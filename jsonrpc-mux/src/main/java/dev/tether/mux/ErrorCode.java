package dev.tether.mux;

/**
 * The one list of error codes carried by RESET, OPEN_FAIL and GOAWAY frames and by hello errors.
 * Codes are stable wire values; see docs/PROTOCOL.md. Unknown codes from a newer peer decode to
 * {@link #UNKNOWN}.
 */
public enum ErrorCode {
  /** Orderly end: nothing went wrong. */
  NO_ERROR(0),
  /** The peer broke the protocol (bad frame, bad sequence, bad id). */
  PROTOCOL_ERROR(1),
  /** Something failed inside this implementation. */
  INTERNAL_ERROR(2),
  /** The peer sent more DATA than the window it was granted. */
  FLOW_CONTROL_ERROR(3),
  /** A frame named a channel that was never opened or is already closed. */
  UNKNOWN_CHANNEL(4),
  /** The acceptor refused to open a channel (unknown kind, bad metadata, too many channels...). */
  CHANNEL_REFUSED(5),
  /** A message on a message channel is larger than the receiver accepts. */
  MESSAGE_TOO_LARGE(6),
  /** A frame is larger than the negotiated maximum frame size. */
  FRAME_TOO_LARGE(7),
  /** The application cancelled the channel (closed it before the end of the stream). */
  CANCELLED(8),
  /** More data went unacknowledged than the replay buffer holds. */
  REPLAY_OVERFLOW(9),
  /** A resume named a session that does not exist (expired, or never existed here). */
  UNKNOWN_SESSION(10),
  /** The two sides speak incompatible protocol versions. */
  VERSION_MISMATCH(11),
  /** The session stayed detached longer than allowed and was discarded. */
  SESSION_EXPIRED(12),
  /** The service behind the channel failed (process died, file missing...). */
  SERVICE_ERROR(13),
  /** Received a code this version does not know. */
  UNKNOWN(0xFFFF);

  private final int wire;

  ErrorCode(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  public static ErrorCode fromWire(int wire) {
    for (ErrorCode code : values()) {
      if (code.wire == wire) {
        return code;
      }
    }
    return UNKNOWN;
  }
}
