package dev.tether.mux;

/**
 * Decides what to do with a channel the peer opens. Called on a session worker thread (never the
 * reader), so it may take time, e.g. to spawn a process; it must eventually call
 * {@link OpenRequest#accept} or {@link OpenRequest#reject}. An exception rejects the channel with
 * {@link ErrorCode#INTERNAL_ERROR} and the exception's message.
 */
@FunctionalInterface
public interface ChannelAcceptor {
  void onOpen(OpenRequest request) throws Exception;

  /** Refuses every channel; for peers that only open channels themselves. */
  ChannelAcceptor REFUSE_ALL = request ->
      request.reject(ErrorCode.CHANNEL_REFUSED, "this side accepts no channels (kind '" + request.kind() + "')");
}
