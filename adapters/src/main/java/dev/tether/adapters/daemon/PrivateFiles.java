package dev.tether.adapters.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories and files only their owner may read: the agent's {@code ~/.tether} tree (sockets,
 * logs that name files and commands, process records) and the local daemon's runtime directory. A
 * directory or file that belongs to another user is refused, never used or re-moded: someone who
 * could create it could also read or replace what is put in it.
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /** Creates {@code dir} 0700 when missing; an existing one of ours is set to 0700; another user's is refused. */
  public static Path directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // another process made it meanwhile: checked below like any existing one
      }
    }
    requireOwn(dir);
    if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(DIR)) {
      Files.setPosixFilePermissions(dir, DIR);
    }
    return dir;
  }

  /** Creates {@code file} 0600 when missing (its directory must exist); an existing one of ours is set to 0600. */
  public static Path file(Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // checked below
      }
    }
    requireOwn(file);
    if (!Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(FILE)) {
      Files.setPosixFilePermissions(file, FILE);
    }
    return file;
  }

  /** Fails with a message naming the path and its owner when it is not this process's user's. */
  public static void requireOwn(Path path) throws IOException {
    int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    if (owner != self) {
      throw new IOException(path + " belongs to another user (uid " + owner + ", we are uid " + self
          + "); refusing to use it: remove it or fix its owner");
    }
  }
}
