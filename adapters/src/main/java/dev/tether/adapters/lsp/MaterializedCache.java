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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * <p>The host is not trusted ({@code docs/SECURITY.md}): only a regular file is copied (the host's
 * {@code fs.stat} refuses others, and a host that lies is caught by the size), of at most
 * {@link Limits#maxBytes()} bytes and never more than its stat said, within {@link Limits#timeout()}.
 * A FIFO, a device ({@code /dev/zero}) or a file too large is refused with an {@link IOException}.
 *
 * <p>Threading: {@link #materialize} is called from one thread (the rewriter's server-to-client
 * thread) and blocks it for at most the timeout: the copy itself runs on a thread of this cache, which
 * is abandoned (interrupted, and bounded in bytes) when it takes longer. The path queries are pure and
 * safe from any thread. Two concurrent materializations of one path would both fetch, and the atomic
 * rename keeps the copy whole either way.
 */
public final class MaterializedCache {
  /**
   * How much a copy may cost: its size, and how long the forwarding thread waits for it.
   *
   * @param maxBytes the largest file copied
   * @param timeout  the longest wait for one copy (stat, read and write)
   */
  public record Limits(long maxBytes, Duration timeout) {
    /** 64 MiB and 20 s. */
    public static final Limits DEFAULT = new Limits(64L << 20, Duration.ofSeconds(20));

    /** Environment variable: the largest host file copied, in MiB. */
    public static final String MAX_MIB_VARIABLE = "TETHER_HOST_FILE_MAX_MIB";
    /** Environment variable: the longest wait for one copy, in seconds. */
    public static final String TIMEOUT_VARIABLE = "TETHER_HOST_FILE_TIMEOUT_SECONDS";

    public Limits {
      if (maxBytes < 0 || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("host file limits must be positive: " + maxBytes + " bytes, " + timeout);
      }
    }

    /**
     * {@link #DEFAULT}, with {@value #MAX_MIB_VARIABLE} and {@value #TIMEOUT_VARIABLE} applied.
     *
     * @throws IllegalArgumentException naming the variable, if one is not a positive number
     */
    public static Limits fromEnvironment(Map<String, String> env) {
      long maxBytes = positive(env, MAX_MIB_VARIABLE, DEFAULT.maxBytes() >> 20) << 20;
      long seconds = positive(env, TIMEOUT_VARIABLE, DEFAULT.timeout().toSeconds());
      return new Limits(maxBytes, Duration.ofSeconds(seconds));
    }

    private static long positive(Map<String, String> env, String name, long fallback) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        long parsed = Long.parseLong(value.trim());
        if (parsed > 0 && parsed < (1L << 20)) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(name + " must be a whole number from 1 to 1048575, got '" + value + "'");
    }
  }

  private final Path hostDir;
  private final RemoteFiles remote;
  private final PathMapping mapping;
  private final Limits limits;
  private final Map<String, RemoteFiles.Stamp> copied = new ConcurrentHashMap<>();
  private final ExecutorService copiers = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "host-file-copy");
    thread.setDaemon(true);
    return thread;
  });

  /** A cache with the {@link Limits#DEFAULT default limits}. */
  public MaterializedCache(Path cacheDir, String hostId, RemoteFiles remote) {
    this(cacheDir, hostId, remote, Limits.DEFAULT);
  }

  /**
   * @param cacheDir the user's cache directory for Tether (e.g. {@code ~/.cache/tether/files})
   * @param hostId   names the remote host; any character unsafe in a file name is replaced
   * @param remote   reads the remote files
   * @param limits   what one copy may cost
   */
  public MaterializedCache(Path cacheDir, String hostId, RemoteFiles remote, Limits limits) {
    this.hostDir = cacheDir.toAbsolutePath().normalize().resolve(safeSegment(hostId));
    this.remote = remote;
    this.limits = limits;
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
   * Makes sure a current read-only copy of {@code remotePath} exists and returns it, waiting at most
   * {@link Limits#timeout()}.
   *
   * @throws IOException if the remote file cannot be stat'ed or read, is not a regular file, is larger
   *     than the limit, takes longer than the timeout, or the copy cannot be written
   */
  public Path materialize(String remotePath) throws IOException {
    Path local = localPathFor(remotePath);
    Future<Path> copy = copiers.submit(() -> copy(remotePath, local));
    try {
      return copy.get(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      copy.cancel(true);
      throw new IOException("copying " + remotePath + " took longer than " + limits.timeout().toSeconds() + " s");
    } catch (InterruptedException e) {
      copy.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while copying " + remotePath);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  private Path copy(String remotePath, Path local) throws IOException {
    RemoteFiles.Stamp stamp = remote.stat(remotePath);
    if (stamp.size() > limits.maxBytes()) {
      throw new IOException(remotePath + " has " + stamp.size() + " bytes, more than the limit of "
          + limits.maxBytes() + " (" + Limits.MAX_MIB_VARIABLE + ")");
    }
    if (!stamp.equals(copied.get(remotePath)) && !matchesOnDisk(local, stamp)) {
      // Never more than the stat said: /dev/zero stats as 0 bytes, and a host may lie about the type.
      write(local, remote.read(remotePath, stamp.size()), stamp);
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
