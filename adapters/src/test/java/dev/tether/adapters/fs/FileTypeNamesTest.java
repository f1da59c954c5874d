package dev.tether.adapters.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.util.Map;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.junit.jupiter.api.Test;

/** fs/stat and fs/readDir answers go through LSP4J's Gson, which writes enums as numbers; FS.md says names. */
class FileTypeNamesTest {
  private final Gson lsp4j = new MessageJsonHandler(Map.of()).getGson();

  @Test
  void statAndDirEntryCarryTheTypeByName() {
    FileStat stat = new FileStat();
    stat.type = FileType.directory;
    assertTrue(lsp4j.toJson(stat).contains("\"type\":\"directory\""), lsp4j.toJson(stat));
    String entry = lsp4j.toJson(new DirEntry("a", FileType.symlink, 0, 0, 0));
    assertTrue(entry.contains("\"type\":\"symlink\""), entry);
  }

  @Test
  void namesAndTheOldNumbersAreRead() {
    assertEquals(FileType.file, lsp4j.fromJson("{\"type\":\"file\"}", FileStat.class).type);
    assertEquals(FileType.directory, lsp4j.fromJson("{\"type\":1}", FileStat.class).type);
    assertEquals(FileType.other, lsp4j.fromJson("{\"type\":\"socket\"}", DirEntry.class).type);
  }
}
