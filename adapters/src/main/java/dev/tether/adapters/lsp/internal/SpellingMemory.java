package dev.tether.adapters.lsp.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers how a peer spelled the URI of each path it mentioned, so a translated answer about that
 * path is spelled exactly as the peer spelled it ({@code My%20Proj} stays {@code My%20Proj},
 * {@code c%3A} stays {@code c%3A}). Editors match documents by URI string, so a differently encoded
 * but equivalent URI would look like a different file.
 *
 * <p>Bounded (least recently used entries go first) because a session can mention any number of paths.
 * Thread-safe: both directions of a connection use it; the lock guards only map operations.
 */
public final class SpellingMemory {
  private final Map<String, String> spellings;

  public SpellingMemory(int capacity) {
    this.spellings = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Records {@code uri}'s spelling (without query or fragment) for its path. */
  public synchronized void remember(FileUri uri) {
    spellings.put(FileUri.key(uri.path()), uri.spelledPrefix());
  }

  /** The remembered spelling of {@code path}, or its canonical {@link FileUri#format} spelling. */
  public String spell(String path) {
    return spell(path, null);
  }

  /** The remembered spelling of {@code path}, else {@code fallback}, else the canonical spelling. */
  public synchronized String spell(String path, String fallback) {
    String spelled = spellings.get(FileUri.key(path));
    if (spelled != null) {
      return spelled;
    }
    return fallback != null ? fallback : FileUri.format(path);
  }
}
