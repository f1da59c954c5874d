package dev.tether.adapters.fs.remote;

import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FileSystemError.Kind;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** The one check every fs service makes of a path it is given: present and absolute. */
final class HostPaths {
  private HostPaths() {}

  static Path absolute(String path) throws FileSystemError {
    if (path == null || path.isEmpty()) {
      throw new FileSystemError(Kind.FileNotFound, "(none)", "no path given; paths must be absolute");
    }
    Path parsed;
    try {
      parsed = Path.of(path);
    } catch (InvalidPathException e) {
      throw new FileSystemError(Kind.FileNotFound, path, "not a valid path: " + e.getReason());
    }
    if (!parsed.isAbsolute()) {
      throw new FileSystemError(Kind.FileNotFound, path, "not an absolute path");
    }
    return parsed;
  }
}
