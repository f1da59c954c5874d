package dev.tether.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class VersionTest {
  @Test
  void thisBuildKnowsItsVersionAndCommit() {
    assertTrue(Version.current().matches("\\d+\\.\\d+\\.\\d+.*"), Version.current());
    // This module is built from a git checkout (CI clones it), so the commit must have been filled in.
    assertTrue(Version.commit().matches("[0-9a-f]{12}(-dirty)?"), Version.commit());
    assertEquals(Version.current() + " (commit " + Version.commit() + ")", Version.describe());
  }

  @Test
  void aBuildWithoutGitSaysUnknown() {
    assertEquals("unknown", Version.commit(new Properties()));
  }

  @Test
  void uncommittedChangesAreMarked() {
    Properties dirty = new Properties();
    dirty.setProperty("git.commit.id.abbrev", "0123456789ab");
    dirty.setProperty("git.dirty", "true");
    assertEquals("0123456789ab-dirty", Version.commit(dirty));
    dirty.setProperty("git.dirty", "false");
    assertEquals("0123456789ab", Version.commit(dirty));
  }
}
