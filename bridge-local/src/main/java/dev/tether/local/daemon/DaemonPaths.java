package dev.tether.local.daemon;

import dev.tether.local.TetherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where the per-user daemon keeps its socket, pid file, lock and log: {@code $TETHER_RUNTIME_DIR}, else
 * {@code $XDG_RUNTIME_DIR/tether}, else {@code ~/.tether/run}. The directory is 0700 and the socket
 * 0600, so only this user can talk to the daemon (which holds live SSH sessions).
 */
public record DaemonPaths(Path dir) {
  public static DaemonPaths fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  public static DaemonPaths fromEnvironment(Map<String, String> env, Path home) {
    String explicit = env.get("TETHER_RUNTIME_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return new DaemonPaths(Path.of(explicit));
    }
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg))) {
      return new DaemonPaths(Path.of(xdg, "tether"));
    }
    return new DaemonPaths(home.resolve(".tether").resolve("run"));
  }

  public Path socket() {
    return dir.resolve("daemon.sock");
  }

  public Path pidFile() {
    return dir.resolve("daemon.pid");
  }

  public Path log() {
    return dir.resolve("daemon.log");
  }

  /** Held (an exclusive file lock) by the running daemon for its whole life; one daemon per directory. */
  public Path lockFile() {
    return dir.resolve("daemon.lock");
  }

  /** Creates the directory 0700, or checks an existing one is not readable by others. */
  public void ensurePrivateDir() throws IOException {
    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir.getParent());
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(owner));
    }
    Set<PosixFilePermission> actual = Files.getPosixFilePermissions(dir);
    if (!actual.equals(owner)) {
      Files.setPosixFilePermissions(dir, owner);
    }
    if (!Files.getOwner(dir).getName().equals(System.getProperty("user.name"))) {
      throw new TetherException(dir + " belongs to another user; set TETHER_RUNTIME_DIR to a directory of your own");
    }
  }
}
