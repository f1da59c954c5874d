package dev.tether.mux.internal;

/**
 * Watches one direction's DATA frames and tells whether bulk and interactive traffic share it right
 * now: a full frame on one channel and a small frame on another, both within a recent window. Only
 * then does the session bound the bulk bytes in flight and acknowledge early, since that costs bulk
 * throughput and buys nothing when no small message is waiting.
 *
 * <p>Not thread-safe: the session's lock guards it.
 */
public final class TrafficMix {
  private final int fullFrame;
  private final long windowNanos;
  private boolean sawBulk;
  private boolean sawSmall;
  private long lastBulkNanos;
  private long lastSmallNanos;
  private int bulkChannel;

  public TrafficMix(int fullFrame, long windowNanos) {
    this.fullFrame = fullFrame;
    this.windowNanos = windowNanos;
  }

  /** A payload at most a quarter frame long: an LSP message or a keystroke, not a bulk transfer. */
  public boolean isSmall(int length) {
    return length <= fullFrame / 4;
  }

  public void data(int channel, int length, long nowNanos) {
    if (length >= fullFrame) {
      sawBulk = true;
      lastBulkNanos = nowNanos;
      bulkChannel = channel;
    } else if (isSmall(length) && (!sawBulk || channel != bulkChannel)) {
      sawSmall = true;
      lastSmallNanos = nowNanos;
    }
  }

  public boolean mixed(long nowNanos) {
    return sawBulk && sawSmall && nowNanos - lastBulkNanos < windowNanos && nowNanos - lastSmallNanos < windowNanos;
  }
}
