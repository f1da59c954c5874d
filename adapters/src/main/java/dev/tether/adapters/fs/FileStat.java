package dev.tether.adapters.fs;

import com.google.gson.annotations.JsonAdapter;

/** Answer of {@code fs/stat}. Times are milliseconds since the epoch; {@code mode} is the POSIX permission bits. */
public final class FileStat {
  @JsonAdapter(FileTypeNames.class)
  public FileType type;
  /** True when the path itself is a symbolic link ({@link #type} describes its target). */
  public boolean symlink;
  public long size;
  public long mtimeMillis;
  public long ctimeMillis;
  public int mode;

  @Override
  public String toString() {
    return type + (symlink ? " (link)" : "") + " size=" + size + " mode=" + Integer.toOctalString(mode)
        + " mtime=" + mtimeMillis;
  }
}
