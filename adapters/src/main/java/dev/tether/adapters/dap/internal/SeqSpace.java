package dev.tether.adapters.dap.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code seq} numbers of one direction of a DAP connection, when the bridge adds messages of its
 * own to it. A sender's messages go out with their seq shifted by the number of messages the bridge
 * inserted before them, so the stream stays strictly increasing; while nothing was inserted the shift
 * is zero and messages keep their bytes. Requests sent with a non-zero shift are remembered until
 * answered, so a {@code request_seq} (or a {@code cancel}'s {@code requestId}) can be translated
 * between the sender's numbering and the wire's.
 *
 * <p>Thread-safe (synchronized): the two directions of a connection read each other's spaces.
 */
public final class SeqSpace {
  private static final int REMEMBERED = 10_000;

  private long shift;
  private long lastEmitted;
  private final Map<Long, Long> emittedToOriginal = bounded();
  private final Map<Long, Long> originalToEmitted = bounded();

  private static Map<Long, Long> bounded() {
    return new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
        return size() > REMEMBERED;
      }
    };
  }

  /** The seq to send a sender's message with; remembers requests sent shifted. */
  public synchronized long emit(long original, boolean request) {
    long emitted = original + shift;
    lastEmitted = Math.max(lastEmitted, emitted);
    if (request && shift != 0) {
      emittedToOriginal.put(emitted, original);
      originalToEmitted.put(original, emitted);
    }
    return emitted;
  }

  /** A seq for a message the bridge inserts; later messages of the sender shift past it. */
  public synchronized long insert() {
    shift++;
    lastEmitted++;
    return lastEmitted;
  }

  /** The sender's own number for a seq seen on the wire (a {@code request_seq} coming back). */
  public synchronized long original(long emitted) {
    Long original = emittedToOriginal.remove(emitted);
    if (original != null) {
      originalToEmitted.remove(original);
      return original;
    }
    return emitted;
  }

  /** The wire's number for a request the sender numbered {@code original} ({@code cancel}'s requestId). */
  public synchronized long emitted(long original) {
    return originalToEmitted.getOrDefault(original, original);
  }

  public synchronized boolean shifted() {
    return shift != 0;
  }
}
