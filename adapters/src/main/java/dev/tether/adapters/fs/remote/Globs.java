package dev.tether.adapters.fs.remote;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Include/exclude globs of watch and search, matched against paths relative to the root. A glob with
 * no '/' matches any single segment ({@code node_modules}, {@code *.java}); one with '/' matches the
 * relative path or any of its leading parts ({@code build/out} excludes everything below it).
 */
final class Globs {
  private final List<PathMatcher> segment = new ArrayList<>();
  private final List<PathMatcher> whole = new ArrayList<>();

  Globs(List<String> globs) {
    for (String glob : globs == null ? List.<String>of() : globs) {
      String trimmed = glob.endsWith("/**") ? glob.substring(0, glob.length() - 3) : glob;
      trimmed = trimmed.startsWith("**/") && !trimmed.substring(3).contains("/") ? trimmed.substring(3) : trimmed;
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + trimmed);
      (trimmed.contains("/") ? whole : segment).add(matcher);
    }
  }

  boolean isEmpty() {
    return segment.isEmpty() && whole.isEmpty();
  }

  /** Whether {@code relative} (or a directory it lies in) matches one of the globs. */
  boolean matches(Path relative) {
    for (int i = 0; i < relative.getNameCount(); i++) {
      Path name = relative.getName(i);
      for (PathMatcher matcher : segment) {
        if (matcher.matches(name)) {
          return true;
        }
      }
      Path leading = relative.subpath(0, i + 1);
      for (PathMatcher matcher : whole) {
        if (matcher.matches(leading)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the file name or the whole relative path matches (for include globs, which name files). */
  boolean matchesFile(Path relative) {
    Path name = relative.getFileName();
    for (PathMatcher matcher : segment) {
      if (name != null && matcher.matches(name)) {
        return true;
      }
    }
    for (PathMatcher matcher : whole) {
      if (matcher.matches(relative)) {
        return true;
      }
    }
    return false;
  }
}
