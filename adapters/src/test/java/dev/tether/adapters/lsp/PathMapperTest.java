package dev.tether.adapters.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathMapperTest {
  private final PathMapper mapper = PathMapper.parse(List.of("/home/a/proj=/srv/proj"));

  @Test
  void mapsAPathInsideTheMappingBothWays() {
    assertEquals("file:///srv/proj/src/a.py", mapper.toRemote("file:///home/a/proj/src/a.py"));
    assertEquals("file:///home/a/proj/src/a.py", mapper.toLocal("file:///srv/proj/src/a.py"));
  }

  @Test
  void mapsTheMappedDirectoryItself() {
    assertEquals("file:///srv/proj", mapper.toRemote("file:///home/a/proj"));
    assertEquals("file:///srv/proj/", mapper.toRemote("file:///home/a/proj/"));
  }

  @Test
  void doesNotMapAcrossASegmentBoundary() {
    assertEquals("file:///home/a/project2/x.py", mapper.toRemote("file:///home/a/project2/x.py"));
    assertEquals("file:///srv/projects/x.py", mapper.toLocal("file:///srv/projects/x.py"));
  }

  @Test
  void longestPrefixWins() {
    PathMapper nested = PathMapper.parse(List.of("/home/a=/data/a", "/home/a/proj=/srv/proj"));
    assertEquals("file:///srv/proj/x", nested.toRemote("file:///home/a/proj/x"));
    assertEquals("file:///data/a/other/x", nested.toRemote("file:///home/a/other/x"));
    assertEquals("file:///home/a/proj/x", nested.toLocal("file:///srv/proj/x"));
  }

  @Test
  void leavesPathsOutsideEveryMappingAlone() {
    assertEquals("file:///usr/include/stdio.h", mapper.toLocal("file:///usr/include/stdio.h"));
    assertEquals("file:///etc/hosts", mapper.toRemote("file:///etc/hosts"));
  }

  @Test
  void leavesNonFileUrisAlone() {
    for (String uri : List.of("untitled:Untitled-1", "https://example.com/home/a/proj",
        "jdt://contents/rt.jar/java.lang/String.class")) {
      assertEquals(uri, mapper.toRemote(uri));
      assertEquals(uri, mapper.toLocal(uri));
    }
  }

  @Test
  void leavesTheEditorsNetworkSharesAloneButRejectsTheHosts() {
    // The editor may name a share (a UNC path); the host naming one could make the editor connect to it.
    assertEquals("file://server/home/a/proj/x", mapper.toRemote("file://server/home/a/proj/x"));
    assertEquals("tether-rejected:file://server/home/a/proj/x", mapper.toLocal("file://server/home/a/proj/x"));
  }

  @Test
  void normalizesHostDotSegmentsBeforeMapping() {
    assertEquals("file:///etc/passwd", mapper.toLocal("file:///srv/proj/../../etc/passwd"));
    assertEquals("file:///home/a/proj/b.py", mapper.toLocal("file:///srv/proj/x/%2e%2e/b.py"));
    // Nor is the hostile spelling remembered and handed back for the normalized path later.
    assertEquals("file:///etc/passwd", mapper.toLocal("file:///etc/passwd"));
  }

  @Test
  void keepsQueryAndFragment() {
    assertEquals("file:///srv/proj/README.md#L10", mapper.toRemote("file:///home/a/proj/README.md#L10"));
    assertEquals("file:///home/a/proj/x?v=1#a", mapper.toLocal("file:///srv/proj/x?v=1#a"));
  }

  @Test
  void matchesPercentEncodedSpacesAndNonAscii() {
    PathMapper spaced = PathMapper.parse(List.of("/home/a/My Proj=/srv/Проект é"));
    assertEquals("file:///srv/%D0%9F%D1%80%D0%BE%D0%B5%D0%BA%D1%82%20%C3%A9/a.py",
        spaced.toRemote("file:///home/a/My%20Proj/a.py"));
    assertEquals("file:///home/a/My%20Proj/%E6%97%A5%E6%9C%AC.py",
        spaced.toLocal("file:///srv/%D0%9F%D1%80%D0%BE%D0%B5%D0%BA%D1%82%20%C3%A9/日本.py"));
  }

  @Test
  void givesTheClientItsOwnSpellingBack() {
    PathMapper spaced = PathMapper.parse(List.of("/home/u/My Proj=/srv/p"));
    String clientUri = "file:///home/u/My%20Proj/a%2Bb.py";
    assertEquals("file:///srv/p/a+b.py", spaced.toRemote(clientUri));
    // The server spells the same file differently; the editor must see its own string again.
    assertEquals(clientUri, spaced.toLocal("file:///srv/p/a%2bb.py"));
    assertEquals(clientUri + "#L3", spaced.toLocal("file:///srv/p/a+b.py#L3"));
  }

  @Test
  void givesTheServerItsOwnSpellingBack() {
    PathMapper spaced = PathMapper.parse(List.of("/home/u/p=/srv/My Proj"));
    String serverUri = "file:///srv/My%20Proj/lib.py";
    assertEquals("file:///home/u/p/lib.py", spaced.toLocal(serverUri));
    assertEquals(serverUri, spaced.toRemote("file:///home/u/p/lib.py"));
  }

  @Test
  void preservesSpellingForUnmappedPathsToo() {
    String clientUri = "file:///opt/x/a%20b.py";
    assertEquals(clientUri, mapper.toRemote(clientUri));
    assertEquals(clientUri, mapper.toLocal("file:///opt/x/a b.py"));
  }

  @Test
  void handlesWindowsDriveLetterSpellings() {
    PathMapper windows = PathMapper.parse(List.of("C:\\Users\\me\\proj=/home/me/proj"));
    assertEquals("file:///home/me/proj/a.py", windows.toRemote("file:///c%3A/Users/me/proj/a.py"));
    assertEquals("file:///home/me/proj/b.py", windows.toRemote("file:///C:/Users/me/proj/b.py"));
    // Each comes back as the editor spelled it.
    assertEquals("file:///c%3A/Users/me/proj/a.py", windows.toLocal("file:///home/me/proj/a.py"));
    assertEquals("file:///C:/Users/me/proj/b.py", windows.toLocal("file:///home/me/proj/b.py"));
    // A file the editor never mentioned gets a canonical spelling of the mapping's path.
    assertEquals("file:///C:/Users/me/proj/c.py", windows.toLocal("file:///home/me/proj/c.py"));
  }

  @Test
  void acceptsFileUrisOnEitherSideOfAMapping() {
    PathMapper uris = PathMapper.parse(List.of("file:///home/a/My%20Proj/=file:///srv/p"));
    assertEquals(new PathMapping("/home/a/My Proj", "/srv/p"), uris.mappings().get(0));
    assertEquals("file:///srv/p/x", uris.toRemote("file:///home/a/My%20Proj/x"));
  }

  @Test
  void translatesPlainRootPaths() {
    assertEquals("/srv/proj/sub", mapper.toRemotePath("/home/a/proj/sub"));
    assertEquals("/home/a/project2", mapper.toRemotePath("/home/a/project2"));
    assertEquals("relative/path", mapper.toRemotePath("relative/path"));
    PathMapper windows = PathMapper.parse(List.of("C:\\Users\\me\\proj=/home/me/proj"));
    assertEquals("/home/me/proj/src", windows.toRemotePath("c:\\Users\\me\\proj\\src"));
  }

  @Test
  void rootMappingCoversEverything() {
    PathMapper root = PathMapper.parse(List.of("/mnt/host=/"));
    assertEquals("file:///mnt/host/usr/include/stdio.h", root.toLocal("file:///usr/include/stdio.h"));
    assertEquals("file:///usr/include/stdio.h", root.toRemote("file:///mnt/host/usr/include/stdio.h"));
  }

  @Test
  void rejectsMalformedMapSpecs() {
    for (String bad : List.of("/a", "relative=/b", "/a=relative", "=/b", "/a=")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PathMapping.parse(bad));
      assertTrue(e.getMessage().contains("LOCAL=REMOTE"), e.getMessage());
    }
  }

  @Test
  void splitsOnTheOnlyEqualsSignThatLeavesTwoAbsolutePaths() {
    assertEquals(new PathMapping("/home/a=b", "/srv/x"), PathMapping.parse("/home/a=b=/srv/x"));
  }
}
