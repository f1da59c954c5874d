package dev.tether.adapters.ws;

import dev.tether.adapters.daemon.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The WebSocket endpoint's connection token: 256 random bits as 64 hex digits, in a file only its
 * owner can read. Made (mode 0600) when the file does not exist, read otherwise; a file that group or
 * others may read is refused, as ssh refuses such a private key.
 */
public final class ConnectionToken {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int BYTES = 32;

  private final byte[] token;

  private ConnectionToken(String hex) {
    this.token = hex.getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads the token in {@code file}, or makes one there when the file does not exist. */
  public static ConnectionToken loadOrCreate(Path file) throws IOException {
    if (Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
      create(file);
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
    PrivateFiles.requireOwn(file);
    if (!PosixFilePermissions.fromString("rw-------").containsAll(mode)) {
      throw new IOException("the token file " + file + " may be read by others (mode "
          + PosixFilePermissions.toString(mode) + "): chmod 600 it, and make a new token if others read it");
    }
    String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (hex.length() < 32 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IOException("the token file " + file + " does not hold a token (at least 32 hex digits)");
    }
    return new ConnectionToken(hex);
  }

  private static void create(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    byte[] random = new byte[BYTES];
    RANDOM.nextBytes(random);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** Compares in constant time (for candidates of the token's length), so timing tells nothing. */
  public boolean matches(String candidate) {
    return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.US_ASCII));
  }
}
