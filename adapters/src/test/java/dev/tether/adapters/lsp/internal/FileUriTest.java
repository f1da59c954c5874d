package dev.tether.adapters.lsp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
