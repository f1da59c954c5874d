package dev.tether.conformance.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Files on disk for the fs suites: writing trees, hashing, finding leftovers of atomic writes. */
final class FsTrees {
  static final int CHUNK = 64 * 1024;

  private FsTrees() {}

  static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Temporary files an atomic write may leave next to its target ({@code .NAME.tether-*.tmp}). */
  static List<Path> leftovers(Path dir) {
    // The agent removes its temporary file while we look: a walk that meets a vanished file starts over.
    for (int attempt = 0; ; attempt++) {
      try (Stream<Path> walk = Files.walk(dir)) {
        return walk.filter(p -> p.getFileName().toString().contains(".tether-")).toList();
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 10) {
          throw e;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String sha256(Path file) {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Writes {@code bytes} (a multiple of {@link #CHUNK}) of pseudo-random content to {@code out} and
   * returns its SHA-256. Each chunk carries its index, so a chunk lost, repeated or reordered changes
   * the hash.
   */
  static String writeNumberedChunks(OutputStream out, long bytes) throws IOException {
    byte[] chunk = new byte[CHUNK];
    new Random(42).nextBytes(chunk);
    MessageDigest digest = sha256();
    for (long i = 0; i < bytes / CHUNK; i++) {
      for (int b = 0; b < 8; b++) {
        chunk[b] = (byte) (i >>> (8 * b));
      }
      out.write(chunk);
      digest.update(chunk);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        p.toFile().setWritable(true);
        p.toFile().delete();
      });
    } catch (IOException | UncheckedIOException e) {
      // temp files only
    }
  }
}
