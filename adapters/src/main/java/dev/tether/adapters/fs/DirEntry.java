package dev.tether.adapters.fs;

import com.google.gson.annotations.JsonAdapter;

/** One entry of {@code fs/readDir}: the name (not the path) and the entry's own type (links not followed). */
public final class DirEntry {
  public String name;
  @JsonAdapter(FileTypeNames.class)
  public FileType type;
  public long size;
  public long mtimeMillis;
  public int mode;

  public DirEntry() {}

  public DirEntry(String name, FileType type, long size, long mtimeMillis, int mode) {
    this.name = name;
    this.type = type;
    this.size = size;
    this.mtimeMillis = mtimeMillis;
    this.mode = mode;
  }
}
