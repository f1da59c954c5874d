package dev.tether.adapters.fs.remote;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FileSystemError.Kind;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote half of {@code fs.write}: the client streams a file's new content and half-closes; this
 * side writes it to a temporary file next to the target, fsyncs it, gives it the replaced file's mode,
 * renames it over the target and fsyncs the directory, then ends its own side (success). Any failure,
 * or the client resetting the channel, removes the temporary file and resets the channel with the
 * typed reason: the target is either the old file or the whole new one, never a half-written mix.
 *
 * <p>Runs on the session worker that accepted the channel, for the whole transfer.
 */
public final class FileWriteHost {
  private static final Logger LOG = LoggerFactory.getLogger(FileWriteHost.class);
  private static final int CHUNK = 64 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What the client asked for; both flags default to true (plain overwrite-or-create). */
  record Target(Path path, String named, boolean create, boolean overwrite) {}

  public void open(OpenRequest request) throws IOException {
    Target target;
    Path temp;
    try {
      target = target(request.metadata());
      temp = createTemp(target);
    } catch (FileSystemError e) {
      request.reject(ErrorCode.SERVICE_ERROR, e.reason());
      return;
    } catch (IllegalArgumentException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, e.getMessage());
      return;
    }
    Channel channel;
    try {
      channel = request.accept();
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    try {
      receive(channel, temp);
      install(target, temp);
      channel.close();
    } catch (FileSystemError e) {
      discard(temp);
      channel.reset(ErrorCode.SERVICE_ERROR, e.reason());
    } catch (IOException | RuntimeException e) {
      discard(temp);
      channel.reset(ErrorCode.SERVICE_ERROR, FileSystemError.of(e instanceof IOException io ? io
          : new IOException(e.toString()), target.named()).reason());
    }
  }

  static Target target(String metadata) throws FileSystemError {
    JsonObject meta;
    try {
      meta = JsonParser.parseString(metadata).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("fs.write needs metadata {\"path\": \"/absolute/path\", \"create\": true, \"overwrite\": true}");
    }
    String named = meta.has("path") && !meta.get("path").isJsonNull() ? meta.get("path").getAsString() : null;
    Path path = throughLinks(HostPaths.absolute(named));
    boolean create = !meta.has("create") || meta.get("create").getAsBoolean();
    boolean overwrite = !meta.has("overwrite") || meta.get("overwrite").getAsBoolean();
    return new Target(path, named, create, overwrite);
  }

  /**
   * A symbolic link is written through, as editors do: its target gets the new content and the link
   * stays a link (renaming over the link itself would replace it with a plain file).
   */
  static Path throughLinks(Path path) throws FileSystemError {
    if (!Files.isSymbolicLink(path)) {
      return path;
    }
    try {
      return path.toRealPath();
    } catch (IOException dangling) {
      return path; // nothing to write through to: the link is replaced, like any missing target's name
    }
  }

  /** Checks the target can be written as asked and makes the temporary file beside it. */
  static Path createTemp(Target target) throws FileSystemError {
    Path path = target.path();
    if (Files.isDirectory(path)) {
      throw new FileSystemError(Kind.FileIsADirectory, target.named());
    }
    boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    if (exists && !target.overwrite()) {
      throw new FileSystemError(Kind.FileExists, target.named(), "write with overwrite to replace it");
    }
    if (!exists && !target.create()) {
      throw new FileSystemError(Kind.FileNotFound, target.named(), "write with create to make it");
    }
    Path dir = path.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      boolean notADirectory = dir != null && Files.exists(dir);
      throw new FileSystemError(notADirectory ? Kind.FileNotADirectory : Kind.FileNotFound, target.named(),
          (notADirectory ? "not a directory: " : "no directory ") + dir);
    }
    Path temp = dir.resolve("." + path.getFileName() + ".tether-" + HexFormat.of().formatHex(randomBytes()) + ".tmp");
    try {
      // CREATE_NEW without permission attributes: a new file gets 0666 minus the agent's umask, like any editor's.
      Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    } catch (IOException e) {
      FileSystemError error = FileSystemError.of(e, target.named());
      throw error.kind() == Kind.NoPermissions ? new FileSystemError(Kind.NoPermissions, target.named(),
          "cannot create a file in " + dir) : error;
    }
    return temp;
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static void receive(Channel channel, Path temp) throws IOException {
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buffer = new byte[CHUNK];
      int n;
      while ((n = channel.read(buffer, 0, buffer.length)) >= 0) {
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
      out.force(true);
    }
  }

  /** Mode of the replaced file, then the atomic rename, then the directory's fsync so the rename is durable. */
  private static void install(Target target, Path temp) throws IOException {
    Path path = target.path();
    if (Files.exists(path)) {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
      Files.setPosixFilePermissions(temp, mode);
    }
    try {
      if (target.overwrite()) {
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
      } else {
        // A hard link fails if the target appeared meanwhile: no-clobber without a check-then-act race.
        Files.createLink(path, temp);
        Files.delete(temp);
      }
    } catch (FileAlreadyExistsException e) {
      throw new FileSystemError(Kind.FileExists, target.named(), "created by someone else meanwhile");
    } catch (IOException e) {
      throw FileSystemError.of(e, target.named());
    }
    try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      LOG.debug("cannot fsync directory {}: {}", path.getParent(), e.toString());
    }
  }

  private static void discard(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      LOG.warn("cannot remove the temporary file {}: {}", temp, e.toString());
    }
  }
}
