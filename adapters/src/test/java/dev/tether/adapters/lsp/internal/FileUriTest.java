package dev.tether.adapters.lsp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FileUriTest {

  @Test
  void splitsPathFromQueryAndFragmentKeepingTheSpelling() {
    FileUri uri = FileUri.parse("file:///home/u/My%20Proj/a.py?x=1#L3");
    assertEquals("/home/u/My Proj/a.py", uri.path());
    assertEquals("file:///home/u/My%20Proj/a.py", uri.spelledPrefix());
    assertEquals("?x=1#L3", uri.suffix());
  }

  @Test
  void acceptsTheUsualFileUriForms() {
    assertEquals("/a/b", FileUri.parse("file:/a/b").path());
    assertEquals("/a/b", FileUri.parse("FILE:///a/b").path());
    assertEquals("/a/b", FileUri.parse("file://localhost/a/b").path());
    assertEquals(false, FileUri.parse("file://server/share/x").isLocalHost());
    assertNull(FileUri.parse("untitled:Untitled-1"));
    assertNull(FileUri.parse("file:relative"));
    assertNull(FileUri.parse("file://"));
  }

  @Test
  void decodesUtf8AndKeepsMalformedEscapes() {
    assertEquals("/日本/é x", FileUri.decode("/%E6%97%A5%E6%9C%AC/%c3%a9%20x"));
    assertEquals("/100%/a%zz/%", FileUri.decode("/100%/a%zz/%"));
    assertEquals("/😀", FileUri.decode("/😀"));
  }

  @Test
  void encodesOnlyWhatAPathCannotHold() {
    assertEquals("/a%20b/%C3%A9/c%23d/e%3Ff/%25/x+y=z@w:v", FileUri.encode("/a b/é/c#d/e?f/%/x+y=z@w:v"));
  }

  @Test
  void foldsTheDriveLetterOnlyForComparison() {
    assertEquals("/c:/Users", FileUri.key("/C:/Users"));
    assertEquals("/Cx/Users", FileUri.key("/Cx/Users"));
  }

  @Test
  void convertsPlainPathsToUriPaths() {
    assertEquals("/home/u/proj", FileUri.toUriPath("/home/u//proj/./x/../"));
    assertEquals("/C:/Users/me", FileUri.toUriPath("C:\\Users\\me\\"));
    assertEquals("/c:/Users/me", FileUri.toUriPath("file:///c%3A/Users/me"));
    assertEquals("/", FileUri.toUriPath("/"));
    assertThrows(IllegalArgumentException.class, () -> FileUri.toUriPath("proj"));
  }

  @Test
  void dotSegmentsPlainOrEncodedResolveAsTheHostWouldAndAreNotCanonical() {
    for (String[] c : new String[][] {
        {"file:///srv/proj/py/../../../../../root/.bashrc", "/root/.bashrc"},
        {"file:///../../../root/.bashrc", "/root/.bashrc"},
        {"file:///srv/proj/%2e%2e/x", "/srv/x"},
        {"file:///srv/proj/%2E%2E/%2E/x", "/srv/x"},
        {"file:///srv/proj/.%2e/x", "/srv/x"},
        {"file:///srv/proj/a%2F..%2F..%2Fx", "/srv/x"},
        {"file:///srv/proj/a%2f%2e%2e%2f%2e%2e%2fx", "/srv/x"},
        {"file:///srv/proj/a/..\\..\\x", "/srv/x"},
        {"file:///srv/proj/./a", "/srv/proj/a"}}) {
      FileUri uri = FileUri.parse(c[0]);
      assertEquals(c[1], uri.path(), c[0]);
      assertFalse(uri.isCanonical(), c[0]);
    }
  }

  @Test
  void ordinaryPathsStayCanonicalAndUntouched() {
    for (String s : new String[] {"file:///srv/proj/a.py", "file:///srv/proj/dir/", "file:///srv/...x/..y/y../.z",
        "file:///home/u/My%20Proj/a.py", "file:///c%3A/Users/a%2Eb", "file:///a%25252e%25252e/b"}) {
      assertTrue(FileUri.parse(s).isCanonical(), s);
    }
    assertEquals("/srv/proj/dir/", FileUri.parse("file:///srv/proj/dir/").path());
    assertEquals("/a%252e%252e/b", FileUri.parse("file:///a%25252e%25252e/b").path());
  }

  @Test
  void findsDotSegments() {
    assertTrue(FileUri.hasDotSegment("/a/.."));
    assertTrue(FileUri.hasDotSegment("/./a"));
    assertTrue(FileUri.hasDotSegment(".."));
    assertFalse(FileUri.hasDotSegment("/a/...b/.c/d./"));
    assertFalse(FileUri.hasDotSegment("/"));
  }
}
