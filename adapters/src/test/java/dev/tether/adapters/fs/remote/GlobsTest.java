package dev.tether.adapters.fs.remote;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobsTest {
  @Test
  void aGlobWithoutSlashMatchesAnySegment() {
    Globs excludes = new Globs(List.of("node_modules", ".git", "*.tmp"));
    assertTrue(excludes.matches(Path.of("node_modules")));
    assertTrue(excludes.matches(Path.of("web/node_modules/react/index.js")));
    assertTrue(excludes.matches(Path.of(".git/index")));
    assertTrue(excludes.matches(Path.of("a/b.tmp")));
    assertFalse(excludes.matches(Path.of("src/node_modules_notes.txt")));
  }

  @Test
  void vsCodeStyleDoubleStarGlobsWorkToo() {
    Globs excludes = new Globs(List.of("**/node_modules/**", "build/out"));
    assertTrue(excludes.matches(Path.of("a/node_modules/x.js")));
    assertTrue(excludes.matches(Path.of("build/out/classes/A.class")));
    assertFalse(excludes.matches(Path.of("src/build/out")));
  }

  @Test
  void includesNameFilesByTheirNameOrWholePath() {
    Globs include = new Globs(List.of("*.java", "docs/*.md"));
    assertTrue(include.matchesFile(Path.of("src/main/A.java")));
    assertTrue(include.matchesFile(Path.of("docs/FS.md")));
    assertFalse(include.matchesFile(Path.of("README.md")));
  }
}
