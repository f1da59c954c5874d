package dev.tether.mux;

/** What a channel carries: raw bytes, or whole messages (each a JSON-RPC message body). */
public enum ChannelFlavour {
  /** A byte stream: terminal, file content, forwarded TCP. */
  BYTES(0),
  /** A sequence of whole messages, each sent as a 32-bit length and the message bytes. */
  MESSAGES(1);

  private final int wire;

  ChannelFlavour(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  public static ChannelFlavour fromWire(int wire) {
    for (ChannelFlavour flavour : values()) {
      if (flavour.wire == wire) {
        return flavour;
      }
    }
    return null;
  }
}
