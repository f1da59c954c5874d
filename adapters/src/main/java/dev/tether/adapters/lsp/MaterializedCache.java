package dev.tether.adapters.lsp;

import dev.tether.adapters.lsp.internal.FileUri;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-only local copies of remote files that have no local counterpart, so that go-to-definition into
 * {@code /usr/include/stdio.h} or site-packages opens a real file in any editor.
 *
 * <p>A remote file {@code /usr/include/stdio.h} is copied to
 * {@code <cacheDir>/<hostId>/usr/include/stdio.h} with read-only permissions and the remote
 * modification time. {@link #mapping()} is the {@link PathMapping} from that host directory to the
 * remote root, which {@link LspRewriter} uses to translate the copy's URI back when the editor sends it
 * (a hover inside the header, say).
 *
 * <p>Never fetches an unchanged file twice: within a session each {@link #materialize} costs one
 * {@link RemoteFiles#stat}, and a read only when the stamp changed; across sessions a copy whose size
 * and modification time match the remote stamp is reused.
 *
 * <p>Threading: {@link #materialize} performs blocking remote and disk I/O and is meant to be called
 * from one thread (the rewriter's server-to-client thread); the path queries are pure and safe from any
 * thread. Two concurrent materializations of one path would both fetch, and the atomic rename keeps the
 * copy whole either way.
 */
public final class MaterializedCache {
  private final Path hostDir;
  private final RemoteFiles remote;
  private final PathMapping mapping;
  private final Map<String, RemoteFiles.Stamp> copied = new ConcurrentHashMap<>();

  /**
   * @param cacheDir the user's cache directory for Tether (e.g. {@code ~/.cache/tether/files})
   * @param hostId   names the remote host; any character unsafe in a file name is replaced
   * @param remote   reads the remote files
   */
  public MaterializedCache(Path cacheDir, String hostId, RemoteFiles remote) {
    this.hostDir = cacheDir.toAbsolutePath().normalize().resolve(safeSegment(hostId));
    this.remote = remote;
    this.mapping = new PathMapping(hostDir.toUri().toString(), "/");
  }

  private static String safeSegment(String hostId) {
    String safe = hostId.replaceAll("[^A-Za-z0-9._@-]", "_");
    return safe.isEmpty() || safe.chars().allMatch(c -> c == '.') ? "_" + safe : safe;
  }

  /** The directory holding this host's copies. */
  public Path hostDir() {
    return hostDir;
  }

  /** Maps {@link #hostDir()} (local) to {@code /} (remote). */
  public PathMapping mapping() {
    return mapping;
  }

  /** Where the copy of {@code remotePath} lives, whether or not it was fetched. */
  public Path localPathFor(String remotePath) {
    String relative = checkedRemotePath(remotePath).substring(1);
    Path local = relative.isEmpty() ? hostDir : hostDir.resolve(relative).normalize();
    if (!local.startsWith(hostDir)) {
      // Only reachable where the local file system treats a backslash or ':' as a separator (Windows).
      throw new IllegalArgumentException("remote path escapes the cache: " + remotePath);
    }
    return local;
  }

  /**
   * Whether {@code remotePath} is a plain absolute path (no {@code .} or {@code ..} segments) that
   * this cache can hold a copy of.
   */
  public boolean canHold(String remotePath) {
    try {
      localPathFor(remotePath);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether {@code remotePath} was copied during this session. */
  public boolean isMaterialized(String remotePath) {
    return copied.containsKey(remotePath);
  }

  /**
   * Makes sure a current read-only copy of {@code remotePath} exists and returns it.
   *
   * @throws IOException if the remote file cannot be stat'ed or read, or the copy cannot be written
   */
  public Path materialize(String remotePath) throws IOException {
    Path local = localPathFor(remotePath);
    RemoteFiles.Stamp stamp = remote.stat(remotePath);
    if (!stamp.equals(copied.get(remotePath)) && !matchesOnDisk(local, stamp)) {
      write(local, remote.read(remotePath), stamp);
    }
    copied.put(remotePath, stamp);
    return local;
  }

  private static boolean matchesOnDisk(Path local, RemoteFiles.Stamp stamp) throws IOException {
    return Files.isRegularFile(local) && Files.size(local) == stamp.size()
        && Files.getLastModifiedTime(local).toMillis() == stamp.modifiedMillis();
  }

  private static void write(Path local, byte[] content, RemoteFiles.Stamp stamp) throws IOException {
    Path dir = Files.createDirectories(local.getParent());
    // Write beside the target and rename, so an editor never sees half a file and an older read-only
    // copy is replaced without first having to make it writable.
    Path temp = Files.createTempFile(dir, ".tether-", ".part");
    try {
      Files.write(temp, content);
      Files.setLastModifiedTime(temp, FileTime.fromMillis(stamp.modifiedMillis()));
      makeReadOnly(temp);
      moveIntoPlace(temp, local);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void makeReadOnly(Path file) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    } else if (!file.toFile().setReadOnly()) {
      throw new IOException("cannot make " + file + " read-only");
    }
  }

  private static void moveIntoPlace(Path temp, Path local) throws IOException {
    try {
      Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, local, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Rejects paths that could escape {@link #hostDir()} once resolved under it. */
  private static String checkedRemotePath(String remotePath) {
    if (!remotePath.startsWith("/") || remotePath.indexOf('\0') >= 0 || hasDotSegment(remotePath)) {
      throw new IllegalArgumentException("not a plain absolute remote path: " + remotePath);
    }
    return remotePath;
  }

  private static boolean hasDotSegment(String path) {
    for (String segment : path.split("/")) {
      if (segment.equals("..") || segment.equals(".")) {
        return true;
      }
    }
    return false;
  }
}
