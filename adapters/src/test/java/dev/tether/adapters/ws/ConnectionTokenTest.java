package dev.tether.adapters.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionTokenTest {
  @TempDir
  Path dir;

  @Test
  void aMissingFileIsMadeOnceWithMode0600AndThenReadAgain() throws Exception {
    Path file = dir.resolve("sub").resolve("token");
    ConnectionToken first = ConnectionToken.loadOrCreate(file);
    String hex = Files.readString(file).strip();
    assertTrue(hex.matches("[0-9a-f]{64}"), hex);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    ConnectionToken again = ConnectionToken.loadOrCreate(file);
    assertTrue(first.matches(hex) && again.matches(hex));
    assertFalse(again.matches(hex.substring(1)));
    assertFalse(again.matches(null));
  }

  @Test
  void aFileOthersMayReadIsRefused() throws Exception {
    Path file = dir.resolve("token");
    ConnectionToken.loadOrCreate(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    IOException e = assertThrows(IOException.class, () -> ConnectionToken.loadOrCreate(file));
    assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
  }

  @Test
  void aFileWithoutATokenIsRefused() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "short\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThrows(IOException.class, () -> ConnectionToken.loadOrCreate(file));
  }
}
