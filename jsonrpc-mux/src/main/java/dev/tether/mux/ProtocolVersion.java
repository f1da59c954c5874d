package dev.tether.mux;

/** The session protocol version this library speaks (docs/PROTOCOL.md): sent in every hello. */
public final class ProtocolVersion {
  /** Sides with different major versions refuse each other (VERSION_MISMATCH). */
  public static final int MAJOR = 1;
  /** Minor versions only add what an older peer may ignore. */
  public static final int MINOR = 0;

  private ProtocolVersion() {}

  /** "MAJOR.MINOR", e.g. for version banners. */
  public static String text() {
    return MAJOR + "." + MINOR;
  }
}
