package dev.tether.adapters.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializedCacheTest {
  @TempDir Path cacheDir;
  private final FakeRemoteFiles remote = new FakeRemoteFiles()
      .put("/opt/lib/site-packages/requests/api.py", "def get(url): ...\n", 42_000L);

  @Test
  void copiesUnderTheHostDirectoryReadOnlyWithTheRemoteTime() throws IOException {
    MaterializedCache cache = new MaterializedCache(cacheDir, "box", remote);
    Path copy = cache.materialize("/opt/lib/site-packages/requests/api.py");
    assertEquals(cacheDir.resolve("box/opt/lib/site-packages/requests/api.py"), copy);
    assertEquals("def get(url): ...\n", Files.readString(copy));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
    assertEquals(42_000L, Files.getLastModifiedTime(copy).toMillis());
    assertTrue(cache.isMaterialized("/opt/lib/site-packages/requests/api.py"));
  }

  @Test
  void replacesAReadOnlyCopyWhenTheRemoteFileChanges() throws IOException {
    MaterializedCache cache = new MaterializedCache(cacheDir, "box", remote);
    cache.materialize("/opt/lib/site-packages/requests/api.py");
    remote.put("/opt/lib/site-packages/requests/api.py", "def get(url, **kw): ...\n", 43_000L);
    Path copy = cache.materialize("/opt/lib/site-packages/requests/api.py");
    assertEquals("def get(url, **kw): ...\n", Files.readString(copy));
    assertEquals(2, remote.reads.size());
    try (var files = Files.list(copy.getParent())) {
      assertEquals(List.of(copy), files.toList()); // no temporary files left behind
    }
  }

  @Test
  void fetchesAnUnchangedFileOnlyOnce() throws IOException {
    MaterializedCache cache = new MaterializedCache(cacheDir, "box", remote);
    cache.materialize("/opt/lib/site-packages/requests/api.py");
    cache.materialize("/opt/lib/site-packages/requests/api.py");
    new MaterializedCache(cacheDir, "box", remote).materialize("/opt/lib/site-packages/requests/api.py");
    assertEquals(1, remote.reads.size());
  }

  @Test
  void reportsAMissingRemoteFile() {
    MaterializedCache cache = new MaterializedCache(cacheDir, "box", remote);
    assertThrows(NoSuchFileException.class, () -> cache.materialize("/nope.h"));
    assertFalse(cache.isMaterialized("/nope.h"));
  }

  @Test
  void refusesPathsThatCouldEscapeTheCache() {
    MaterializedCache cache = new MaterializedCache(cacheDir, "box", remote);
    for (String bad : List.of("relative/x", "/a/../../x", "/a/./x", "/a\0b")) {
      assertFalse(cache.canHold(bad), bad);
      assertThrows(IllegalArgumentException.class, () -> cache.materialize(bad));
    }
    assertTrue(cache.canHold("/"));
  }

  @Test
  void hostIdsBecomeOneSafeDirectoryName() {
    assertEquals(cacheDir.resolve("u@h_22"), new MaterializedCache(cacheDir, "u@h:22", remote).hostDir());
    assertEquals(cacheDir.resolve("_.."), new MaterializedCache(cacheDir, "..", remote).hostDir());
    assertEquals(cacheDir.resolve("a_b"), new MaterializedCache(cacheDir, "a/b", remote).hostDir());
  }

  @Test
  void mapsTheHostDirectoryToTheRemoteRoot() {
    MaterializedCache cache = new MaterializedCache(cacheDir, "box", remote);
    PathMapping mapping = cache.mapping();
    assertEquals("/", mapping.remote());
    assertEquals("/usr/include/stdio.h", mapping.toRemotePath(mapping.local() + "/usr/include/stdio.h"));
  }
}
