package dev.tether.mux.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One canonical line per frame ({@code >> ch=3 DATA len=16384 seq=912 ack=40}), logged at DEBUG on
 * the {@code dev.tether.mux.frames} logger, off by default. Enable it with
 * {@code -Dorg.slf4j.simpleLogger.log.dev.tether.mux.frames=debug} to see the conversation.
 */
public final class FrameLog {
  private static final Logger LOG = LoggerFactory.getLogger("dev.tether.mux.frames");

  private final String name;

  public FrameLog(String name) {
    this.name = name;
  }

  public void outbound(Frame frame, long ack) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} >> {}", name, describe(frame, ack));
    }
  }

  public void inbound(Frame frame, long ack) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} << {}", name, describe(frame, ack));
    }
  }

  public static String describe(Frame frame, long ack) {
    StringBuilder line = new StringBuilder(64)
        .append("ch=").append(frame.channel).append(' ').append(frame.type)
        .append(" len=").append(frame.payload.length);
    if (frame.type.sequenced) {
      line.append(" seq=").append(frame.seq);
    }
    line.append(" ack=").append(ack);
    if (frame.flags != 0) {
      line.append(" flags=0x").append(Integer.toHexString(frame.flags));
    }
    return line.toString();
  }
}
