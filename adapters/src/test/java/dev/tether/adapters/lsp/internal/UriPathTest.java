package dev.tether.adapters.lsp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tether.adapters.lsp.internal.UriPath.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class UriPathTest {

  @Test
  void parsesEveryStepAndEnd() {
    assertEquals(new UriPath(List.of(new Step(Step.Kind.PROPERTY, "documentChanges"),
            new Step(Step.Kind.EACH_ELEMENT, null)), UriPath.End.TYPE, "CreateFile"),
        UriPath.parse(".documentChanges[]@CreateFile"));
    assertEquals(new UriPath(List.of(new Step(Step.Kind.PROPERTY, "changes")), UriPath.End.URI_KEYS, null),
        UriPath.parse(".changes{key}"));
    assertEquals(new UriPath(List.of(new Step(Step.Kind.PROPERTY, "relatedDocuments"),
            new Step(Step.Kind.EACH_VALUE, null)), UriPath.End.TYPE, "FullDocumentDiagnosticReport"),
        UriPath.parse(".relatedDocuments{}@FullDocumentDiagnosticReport"));
    assertEquals(new UriPath(List.of(new Step(Step.Kind.PROPERTY, "uri")), UriPath.End.URI_VALUE, null),
        UriPath.parse(".uri"));
    assertEquals(new UriPath(List.of(), UriPath.End.URI_VALUE, null), UriPath.parse(""));
  }

  @Test
  void rejectsMalformedPaths() {
    for (String bad : List.of("uri", ".", "[x]", "@", ".a@B.c", "{key}.x", ".a-b")) {
      assertThrows(IllegalArgumentException.class, () -> UriPath.parse(bad), bad);
    }
  }

  @Test
  void rejectsATableReferringToAnUndefinedType() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UriTable.parse(
        "{\"methods\":{\"m\":{\"params\":[\"@Nope\"]}},\"types\":{}}"));
    assertEquals("URI table refers to undefined type Nope", e.getMessage());
  }
}
