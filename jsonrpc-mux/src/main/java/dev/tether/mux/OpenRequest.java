package dev.tether.mux;

/**
 * A channel the peer asked to open, waiting for this side's answer. Exactly one of {@link #accept} or
 * {@link #reject} takes effect; later calls are ignored.
 */
public final class OpenRequest {
  private final Channel channel;

  OpenRequest(Channel channel) {
    this.channel = channel;
  }

  public String kind() {
    return channel.kind();
  }

  public ChannelFlavour flavour() {
    return channel.flavour();
  }

  /** The opener's JSON metadata (may be empty). */
  public String metadata() {
    return channel.openMetadata();
  }

  public Session session() {
    return channel.session();
  }

  /** Accepts the channel, answering with {@code metadata} (JSON, may be empty), and returns it. */
  public Channel accept(String metadata) throws MuxException {
    channel.session().acceptChannel(channel, metadata == null ? "" : metadata);
    return channel;
  }

  public Channel accept() throws MuxException {
    return accept("");
  }

  /** Refuses the channel with a code and a reason the opener's user will read. */
  public void reject(ErrorCode code, String reason) {
    channel.session().rejectChannel(channel, code, reason);
  }
}
