package dev.tether.adapters.fs;

/** What a path is; lower-case names on the wire. */
public enum FileType {
  file, directory, symlink, other
}
