package dev.tether.adapters.fs;

/** One change an {@code fs.watch} reports; a rename is a {@code deleted} of the old path and a {@code created} of the new. */
public final class FileChange {
  /** Lower-case names on the wire. */
  public enum Type { created, changed, deleted }

  public Type type;
  public String path;

  public FileChange() {}

  public FileChange(Type type, String path) {
    this.type = type;
    this.path = path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileChange c && c.type == type && java.util.Objects.equals(c.path, path);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(type, path);
  }

  @Override
  public String toString() {
    return type + " " + path;
  }
}
