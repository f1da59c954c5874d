package dev.tether.adapters.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCatalogTest {
  @TempDir Path dir;

  @Test
  void knowsTheBuiltInLanguageServersAndDebugAdapters() {
    ServerCatalog catalog = ServerCatalog.load(dir.resolve("absent.json"));
    assertEquals(Set.of("pylsp", "pyright", "clangd", "gopls", "rust-analyzer",
        "typescript-language-server", "jdtls"), catalog.languageServers().keySet());
    assertTrue(catalog.debugAdapters().containsKey("debugpy"));
    assertEquals(List.of("clangd"), catalog.languageServer("clangd").command());
    assertEquals(List.of("pyright-langserver", "--stdio"), catalog.languageServer("pyright").command());
    assertEquals(List.of("rs"), catalog.languageServer("rust-analyzer").extensions());
    assertTrue(catalog.languageServer("gopls").rootMarkers().contains("go.mod"));
  }

  @Test
  void pythonEntriesNeverRelyOnABarePython3() {
    ServerCatalog catalog = ServerCatalog.builtIn();
    assertEquals(List.of("pylsp"), catalog.languageServer("pylsp").command());
    assertEquals(List.of("/usr/bin/python3", "-m", "debugpy.adapter"),
        catalog.debugAdapter("debugpy").command());
    for (List<String> command : List.of(catalog.languageServer("pylsp").command(),
        catalog.languageServer("pyright").command(), catalog.debugAdapter("debugpy").command())) {
      assertTrue(!command.get(0).equals("python3") && !command.get(0).equals("python"), command.toString());
    }
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    ServerCatalog catalog = ServerCatalog.load(dir.resolve("servers.json"));
    UnknownEntryException e = assertThrows(UnknownEntryException.class,
        () -> catalog.languageServer("pyls"));
    assertEquals("unknown language server 'pyls'; known: clangd, gopls, jdtls, pylsp, pyright, "
        + "rust-analyzer, typescript-language-server (add one to " + dir.resolve("servers.json") + ")",
        e.getMessage());
    assertEquals(List.of("debugpy", "delve", "gdb", "lldb-dap"),
        assertThrows(UnknownEntryException.class, () -> catalog.debugAdapter("cppdbg")).knownNames());
  }

  @Test
  void theUserFileOverridesFieldsAndAddsEntries() throws IOException {
    Path file = write("{\n"
        + "  // comments are fine\n"
        + "  \"languageServers\": {\n"
        + "    \"pylsp\": {\"command\": [\"/opt/venv/bin/pylsp\", \"-v\"]},\n"
        + "    \"ruff\": {\"command\": [\"ruff\", \"server\"], \"languages\": [\"python\"], \"extensions\": [\"py\"]}\n"
        + "  },\n"
        + "  \"debugAdapters\": {\"debugpy\": {\"command\": [\"/opt/venv/bin/python\", \"-m\", \"debugpy.adapter\"]}}\n"
        + "}\n");
    ServerCatalog catalog = ServerCatalog.load(file);
    LanguageServer pylsp = catalog.languageServer("pylsp");
    assertEquals(List.of("/opt/venv/bin/pylsp", "-v"), pylsp.command());
    assertEquals(List.of("py", "pyi"), pylsp.extensions()); // not overridden, so kept
    LanguageServer ruff = catalog.languageServer("ruff");
    assertEquals(List.of("ruff", "server"), ruff.command());
    assertEquals(List.of(), ruff.rootMarkers());
    assertEquals(List.of("/opt/venv/bin/python", "-m", "debugpy.adapter"),
        catalog.debugAdapter("debugpy").command());
    assertEquals(List.of("pylsp", "pyright", "ruff"),
        catalog.languageServersForFile("main.py").stream().map(LanguageServer::name).toList());
  }

  @Test
  void debugAdapterEntriesCarryHowToFindAndMapThem() throws IOException {
    Path file = write("{\"debugAdapters\": {\"codelldb\": {\"command\": [\"codelldb\"], \"alternatives\": [\"codelldb-*\"],"
        + " \"package\": \"codelldb\", \"pathKeys\": [\"program\", \"cwd\", \"sourceRoot\"]},"
        + " \"debugpy\": {\"command\": [\"/opt/venv/bin/python\", \"-m\", \"debugpy.adapter\"]}}}");
    ServerCatalog catalog = ServerCatalog.load(file);
    DebugAdapter codelldb = catalog.debugAdapter("codelldb");
    assertEquals(List.of("codelldb-*"), codelldb.alternatives());
    assertEquals("codelldb", codelldb.packageHint());
    assertEquals(List.of("program", "cwd", "sourceRoot"), codelldb.pathKeys());
    DebugAdapter debugpy = catalog.debugAdapter("debugpy");
    assertEquals(List.of("{program}", "-c", "import debugpy"), debugpy.probe(), "the built-in probe is kept");
    assertEquals("python3-debugpy", debugpy.packageHint());
    CatalogException e = assertThrows(CatalogException.class,
        () -> ServerCatalog.load(write("{\"debugAdapters\": {\"x\": {\"command\": [\"x\"], \"package\": 1}}}")));
    assertTrue(e.getMessage().contains("debugAdapters.x: \"package\" must be a string"), e.getMessage());
  }

  @Test
  void anEmptyUserFileChangesNothing() throws IOException {
    assertEquals(ServerCatalog.builtIn().languageServers(), ServerCatalog.load(write("")).languageServers());
  }

  @Test
  void invalidUserFilesAreReportedWithTheirLocation() throws IOException {
    Map<String, String> cases = Map.of(
        "{\"languageServers\": {\"new\": {\"languages\": [\"x\"]}}}",
        "languageServers.new: \"command\" must be a non-empty array of strings (the argv)",
        "{\"languageServers\": {\"pylsp\": {\"comand\": [\"pylsp\"]}}}",
        "languageServers.pylsp: unknown field(s) [comand]; allowed: [command, extensions, languages, rootMarkers]",
        "{\"languageServers\": {\"pylsp\": {\"command\": \"pylsp\"}}}",
        "languageServers.pylsp: \"command\" must be an array of strings",
        "{\"servers\": {}}",
        "unknown field(s) [servers]; allowed: [debugAdapters, languageServers]",
        "{\"languageServers\": [",
        "not valid JSON");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Path file = write(c.getKey());
      CatalogException e = assertThrows(CatalogException.class, () -> ServerCatalog.load(file));
      assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(c.getValue()),
          e.getMessage());
    }
  }

  @Test
  void userFileLocationFollowsXdgConfigHome() {
    Path home = Path.of("/home/u");
    assertEquals(Path.of("/cfg/tether/servers.json"),
        ServerCatalog.userFile(Map.of("XDG_CONFIG_HOME", "/cfg"), home));
    assertEquals(Path.of("/home/u/.config/tether/servers.json"), ServerCatalog.userFile(Map.of(), home));
    assertEquals(Path.of("/home/u/.config/tether/servers.json"),
        ServerCatalog.userFile(Map.of("XDG_CONFIG_HOME", ""), home));
    assertEquals(Path.of("/home/u/.config/tether/servers.json"),
        ServerCatalog.userFile(Map.of("XDG_CONFIG_HOME", "relative/cfg"), home));
  }

  @Test
  void anUnlistedEntryIsServedUnlessTheUserFileTookItsNameAndIsNotListedInErrors() throws IOException {
    LanguageServer peer = new LanguageServer("peer", List.of("/opt/java", "peer"), List.of(), List.of(), List.of());
    DebugAdapter adapter = new DebugAdapter("peer", List.of("/opt/java", "peer", "dap"), List.of());
    ServerCatalog builtIn = ServerCatalog.load(dir.resolve("missing.json"));
    ServerCatalog added = builtIn.withUnlisted(peer).withUnlisted(adapter);
    assertEquals(peer, added.languageServer("peer"));
    assertEquals(adapter, added.debugAdapter("peer"));
    assertEquals(builtIn.languageServer("pylsp"), added.languageServer("pylsp"));
    assertThrows(UnknownEntryException.class, () -> builtIn.languageServer("peer"), "the original is unchanged");
    UnknownEntryException unknown = assertThrows(UnknownEntryException.class, () -> added.debugAdapter("nosuch"));
    assertTrue(unknown.knownNames().contains("debugpy") && !unknown.knownNames().contains("peer"), unknown.getMessage());

    ServerCatalog user = ServerCatalog.load(write("{\"languageServers\": {\"peer\": {\"command\": [\"mine\"]}}}"));
    assertEquals(List.of("mine"), user.withUnlisted(peer).languageServer("peer").command());
  }

  private Path write(String content) throws IOException {
    Path file = Files.createTempFile(dir, "servers", ".json");
    Files.writeString(file, content);
    return file;
  }
}
