package dev.tether.adapters.fs;

/** One matching line of an {@code fs.search}: 1-based line, 0-based column (in UTF-16 units), the line's text. */
public final class SearchMatch {
  public String path;
  public int line;
  public int column;
  public String text;

  @Override
  public String toString() {
    return path + ":" + line + ":" + text;
  }
}
