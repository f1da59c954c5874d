package dev.tether.adapters.lsp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any string parses as a {@code file:} URI or gives null, never an exception; a parsed path is
 * absolute and has no dot segment left, whatever the spelling ({@code %2e%2e}, {@code %2F}, {@code ..\});
 * a canonical URI's path is exactly its decoded spelling; the canonical spelling of a path parses back to
 * that path. The input is UTF-8 text, so the corpus files are plain URIs. Corpus: FileUriFuzzTestInputs/.
 */
class FileUriFuzzTest {
  @FuzzTest
  void anyStringParsesToAnAbsolutePathWithoutDotSegments(byte[] input) {
    FileUri uri = FileUri.parse(new String(input, StandardCharsets.UTF_8));
    if (uri == null) {
      return;
    }
    String path = uri.path();
    assertTrue(path.startsWith("/"), path);
    assertFalse(FileUri.hasDotSegment(path), path);
    if (uri.isCanonical() && uri.authority().isEmpty()) { // an authority may spell anything; it is not the path
      assertFalse(uri.spelledPrefix().contains("%2f") || uri.spelledPrefix().contains("%2F"), uri.spelledPrefix());
    }
    if (isWellFormedUtf16(path)) {
      FileUri again = FileUri.parse(FileUri.format(path));
      assertEquals(path, again.path(), "the canonical spelling of " + path);
      assertTrue(again.isCanonical(), FileUri.format(path));
    }
  }

  private static boolean isWellFormedUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
