package dev.tether.adapters.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tether.adapters.lsp.internal.Navigation;
import dev.tether.adapters.lsp.internal.UriPath;
import dev.tether.adapters.lsp.internal.UriTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class UriTableTest {

  /**
   * The checked-in table must be what the generator derives from the meta model. The meta model is the
   * repository's unmodified copy in {@code specs/} (override with {@code -Dtether.lspMetaModel=PATH});
   * without it this test fails rather than skips, so CI cannot
   * silently stop checking.
   */
  @Test
  void checkedInTableMatchesTheMetaModel() throws IOException {
    Path metaModel = metaModelPath();
    if (!Files.isRegularFile(metaModel)) {
      fail("LSP meta model not found at " + metaModel.toAbsolutePath().normalize() + "; it is expected at "
          + UriTableGenerator.META_MODEL + " relative to the project root (or pass "
          + "-Dtether.lspMetaModel=PATH). Cannot check that uri-table.json is current.");
    }
    String regenerated = UriTableGenerator.generate(UriTableGenerator.readMetaModel(metaModel));
    assertEquals(regenerated, checkedInTable(),
        "uri-table.json is stale; run from the project root: " + UriTableGenerator.COMMAND);
  }

  private static Path metaModelPath() {
    String override = System.getProperty("tether.lspMetaModel");
    return override != null && !override.isEmpty()
        ? Path.of(override) : UriTableGenerator.projectRoot().resolve(UriTableGenerator.META_MODEL);
  }

  private static String checkedInTable() throws IOException {
    return Files.readString(UriTableGenerator.projectRoot().resolve(UriTableGenerator.TABLE_RESOURCE),
        StandardCharsets.UTF_8);
  }

  @Test
  void everyTypeTheNavigationPolicyNamesCarriesUris() {
    for (String type : Navigation.typeNames()) {
      assertTrue(UriTable.standard().typeNames().contains(type), type + " is not in the URI table");
    }
  }

  @Test
  void containsTheFactsTheRewriterReliesOn() {
    UriTable table = UriTable.standard();
    assertEquals(List.of(".changes{key}", ".documentChanges[]@TextDocumentEdit",
        ".documentChanges[]@CreateFile", ".documentChanges[]@RenameFile", ".documentChanges[]@DeleteFile"),
        texts(table.type("WorkspaceEdit")));
    assertEquals(List.of(".rootUri", ".workspaceFolders[]@WorkspaceFolder"),
        texts(table.type("InitializeParams")));
    assertEquals(List.of(".textDocument@TextDocumentIdentifier"), texts(table.type("HoverParams")));
    assertEquals(List.of(".uri"), texts(table.type("VersionedTextDocumentIdentifier")));
    // Typed string in the meta model, documented as "A file:// URI".
    assertEquals(List.of(".oldUri", ".newUri"), texts(table.type("FileRename")));
    assertEquals(List.of("@Definition", "[]@DefinitionLink"),
        texts(table.method("textDocument/definition").result()));
  }

  @Test
  void leavesLspAnyAndUriFreeMethodsOut() {
    UriTable table = UriTable.standard();
    // Their params are typed LSPAny (or carry no URI at all), so the table has nothing for them; the
    // rewriter handles $/progress and client/registerCapability by the method they refer to.
    for (String method : List.of("$/cancelRequest", "$/progress", "workspace/executeCommand",
        "telemetry/event", "client/registerCapability", "window/showMessage")) {
      assertFalse(table.methodNames().contains(method), method);
    }
    assertFalse(table.typeNames().contains("LSPAny"));
    assertFalse(table.typeNames().contains("Command"));
  }

  private static List<String> texts(List<UriPath> paths) {
    return paths.stream().map(UriTableTest::text).toList();
  }

  private static String text(UriPath path) {
    StringBuilder out = new StringBuilder();
    for (UriPath.Step step : path.steps()) {
      switch (step.kind()) {
        case PROPERTY -> out.append('.').append(step.name());
        case EACH_ELEMENT -> out.append("[]");
        case EACH_VALUE -> out.append("{}");
      }
    }
    switch (path.end()) {
      case URI_KEYS -> out.append("{key}");
      case TYPE -> out.append('@').append(path.type());
      case URI_VALUE -> { }
    }
    return out.toString();
  }
}
