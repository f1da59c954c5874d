package dev.tether.adapters.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.ext.ExtensionManifest.Entry;
import dev.tether.adapters.ext.ExtensionManifest.ManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code .tether/extensions.json}: entries, defaults, and each error naming the file and the field. */
class ExtensionManifestTest {
  @TempDir
  Path workspace;

  private Path write(String json) throws IOException {
    Path file = Files.createDirectories(workspace.resolve(".tether")).resolve("extensions.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void entriesResolveTheirDirectoryAgainstTheWorkspaceAndDefaultToContentLength() throws Exception {
    write("{\"extensions\": [{\"name\": \"fmt\", \"argv\": [\"black\", \"-\"], \"cwd\": \"sub/../tools\"},"
        + " {\"name\": \"gen\", \"argv\": [\"./gen\"], \"env\": {\"A\": \"1\"}, \"framing\": \"newline\"},"
        + " {\"name\": \"abs\", \"argv\": [\"x\"], \"cwd\": \"/opt\"}]}");
    ExtensionManifest manifest = ExtensionManifest.read(workspace);
    assertEquals(new Entry("fmt", List.of("black", "-"), workspace.resolve("tools").toString(), Map.of(), Framing.CONTENT_LENGTH),
        manifest.entry("fmt"));
    assertEquals(new Entry("gen", List.of("./gen"), workspace.toString(), Map.of("A", "1"), Framing.NEWLINE), manifest.entry("gen"));
    assertEquals("/opt", manifest.entry("abs").cwd());
    assertEquals(List.of(), manifest.problems());
  }

  @Test
  void aWorkspaceWithoutAManifestDeclaresNothingAndSaysSoWhenANameIsAsked() throws Exception {
    ExtensionManifest manifest = ExtensionManifest.read(workspace);
    assertFalse(manifest.exists());
    assertEquals(List.of(), manifest.entries());
    ManifestException e = assertThrows(ManifestException.class, () -> manifest.entry("fmt"));
    assertEquals(workspace.resolve(".tether/extensions.json") + ": no such file, so the workspace declares no extension \"fmt\"",
        e.getMessage());
  }

  @Test
  void aFileThatIsNotAManifestIsRefusedAsAWhole() throws Exception {
    Path file = write("[1, 2]");
    assertEquals(file + ": must be a JSON object with \"extensions\": [...]",
        assertThrows(ManifestException.class, () -> ExtensionManifest.read(workspace)).getMessage());
    write("{\"extensions\": {\"fmt\": {}}}");
    assertEquals(file + ": \"extensions\" must be an array of objects",
        assertThrows(ManifestException.class, () -> ExtensionManifest.read(workspace)).getMessage());
    write("{\"extensions\": [} ");
    assertTrue(assertThrows(ManifestException.class, () -> ExtensionManifest.read(workspace)).getMessage()
        .startsWith(file + ": not valid JSON: "));
    Files.write(file, new byte[(int) ExtensionManifest.MAX_BYTES + 1]);
    assertEquals(file + ": larger than 1024 KiB; not a manifest",
        assertThrows(ManifestException.class, () -> ExtensionManifest.read(workspace)).getMessage());
  }

  @Test
  void aBadEntryIsAProblemOfItsOwnAndTheOthersStillOpen() throws Exception {
    Path file = write("{\"extensions\": [{\"name\": \"ok\", \"argv\": [\"cat\"]}, {\"name\": \"bad\", \"argv\": [\"\"]},"
        + " {\"name\": \"bad name!\", \"argv\": [\"cat\"]}, {\"name\": \"env\", \"argv\": [\"cat\"], \"env\": {\"A=B\": \"c\"}}]}");
    ExtensionManifest manifest = ExtensionManifest.read(workspace);
    assertEquals(List.of("ok"), manifest.entries().stream().map(Entry::name).toList());
    assertEquals(List.of(
        file + ": extension \"bad\": \"argv\" must be a non-empty array of strings",
        file + ": extension #3: \"name\" must be a string of 1 to 64 letters, digits, '.', '_' or '-'",
        file + ": extension \"env\": \"env\" must be an object whose values are strings (\"A=B\" is not)"), manifest.problems());
    assertEquals(file + ": extension \"bad\": \"argv\" must be a non-empty array of strings",
        assertThrows(ManifestException.class, () -> manifest.entry("bad")).getMessage());
    assertEquals(file + ": no extension \"nope\"; it declares ok, bad, env",
        assertThrows(ManifestException.class, () -> manifest.entry("nope")).getMessage());
  }
}
