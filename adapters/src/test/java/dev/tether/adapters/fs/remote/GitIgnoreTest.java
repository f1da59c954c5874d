package dev.tether.adapters.fs.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gitignore(5)'s pattern rules, each checked against what git itself does with them. */
class GitIgnoreTest {
  private static final Path ROOT = Path.of("/repo");

  private static GitIgnore rules(Path base, String... lines) {
    List<GitIgnore.Rule> rules = new ArrayList<>();
    for (String line : lines) {
      GitIgnore.Rule rule = GitIgnore.parse(line);
      if (rule != null) {
        rules.add(rule);
      }
    }
    return new GitIgnore(base, rules);
  }

  private static boolean ignored(GitIgnore ignore, String relative, boolean directory) {
    return GitIgnore.ignored(List.of(ignore), ROOT.resolve(relative), directory);
  }

  @Test
  void aNameWithoutSlashMatchesAtAnyDepth() {
    GitIgnore ignore = rules(ROOT, "*.log", "build");
    assertTrue(ignored(ignore, "debug.log", false));
    assertTrue(ignored(ignore, "a/b/debug.log", false));
    assertTrue(ignored(ignore, "build", true));
    assertTrue(ignored(ignore, "sub/build", false));
    assertFalse(ignored(ignore, "debug.log.txt", false));
    assertFalse(ignored(ignore, "builder", true));
  }

  @Test
  void aSlashAnchorsToTheFilesDirectory() {
    GitIgnore ignore = rules(ROOT, "/top.txt", "docs/*.md");
    assertTrue(ignored(ignore, "top.txt", false));
    assertFalse(ignored(ignore, "sub/top.txt", false));
    assertTrue(ignored(ignore, "docs/a.md", false));
    assertFalse(ignored(ignore, "docs/deep/a.md", false), "* does not cross /");
    assertFalse(ignored(ignore, "other/docs/a.md", false));
  }

  @Test
  void aTrailingSlashMatchesDirectoriesOnly() {
    GitIgnore ignore = rules(ROOT, "out/");
    assertTrue(ignored(ignore, "out", true));
    assertTrue(ignored(ignore, "a/out", true));
    assertFalse(ignored(ignore, "out", false));
  }

  @Test
  void doubleStarsCrossDirectories() {
    GitIgnore ignore = rules(ROOT, "**/cache", "logs/**", "a/**/z");
    assertTrue(ignored(ignore, "cache", true));
    assertTrue(ignored(ignore, "x/y/cache", true));
    assertTrue(ignored(ignore, "logs/x/y.txt", false));
    assertTrue(ignored(ignore, "a/z", false));
    assertTrue(ignored(ignore, "a/b/c/z", false));
    assertFalse(ignored(ignore, "b/a/z", false));
  }

  @Test
  void negationReincludesAndTheLastRuleWins() {
    GitIgnore ignore = rules(ROOT, "*.log", "!keep.log");
    assertTrue(ignored(ignore, "x.log", false));
    assertFalse(ignored(ignore, "keep.log", false));
    GitIgnore reversed = rules(ROOT, "!keep.log", "*.log");
    assertTrue(ignored(reversed, "keep.log", false));
  }

  @Test
  void commentsBlanksEscapesAndClasses() {
    assertNull(GitIgnore.parse("# a comment"));
    assertNull(GitIgnore.parse("   "));
    GitIgnore ignore = rules(ROOT, "\\#hash", "\\!bang", "file[0-9].txt", "x?.c", "trailing   ");
    assertTrue(ignored(ignore, "#hash", false));
    assertTrue(ignored(ignore, "!bang", false));
    assertTrue(ignored(ignore, "file7.txt", false));
    assertFalse(ignored(ignore, "fileA.txt", false));
    assertTrue(ignored(ignore, "x1.c", false));
    assertFalse(ignored(ignore, "x/.c", false));
    assertTrue(ignored(ignore, "trailing", false), "trailing spaces are not part of the pattern");
  }

  @Test
  void aDeeperFileOverridesAShallowerOne() {
    GitIgnore top = rules(ROOT, "*.txt");
    GitIgnore sub = rules(ROOT.resolve("sub"), "!keep.txt", "/only-here.md");
    List<GitIgnore> stack = List.of(top, sub);
    assertTrue(GitIgnore.ignored(stack, ROOT.resolve("sub/other.txt"), false));
    assertFalse(GitIgnore.ignored(stack, ROOT.resolve("sub/keep.txt"), false));
    assertTrue(GitIgnore.ignored(stack, ROOT.resolve("sub/only-here.md"), false));
    assertFalse(GitIgnore.ignored(stack, ROOT.resolve("only-here.md"), false), "sub's rules stay in sub");
    assertEquals(null, sub.decide(ROOT.resolve("elsewhere/keep.txt"), false));
  }
}
