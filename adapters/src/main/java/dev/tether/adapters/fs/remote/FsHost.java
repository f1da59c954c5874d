package dev.tether.adapters.fs.remote;

import dev.tether.adapters.JsonRpcServices;
import com.google.gson.JsonObject;
import dev.tether.adapters.fs.DirEntry;
import dev.tether.adapters.fs.FileStat;
import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FileSystemError.Kind;
import dev.tether.adapters.fs.FileType;
import dev.tether.adapters.fs.FsService;
import dev.tether.mux.Channel;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Workers;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;

/**
 * Remote half of the {@code fs} channel: JSON-RPC file operations on the host's disk. Each request
 * runs on a worker thread, so a long recursive copy does not hold up a stat on the same channel.
 */
public final class FsHost implements FsService {
  private static final String UNIX_ATTRIBUTES = "unix:mode,size,lastModifiedTime,ctime";

  public void open(OpenRequest request) throws IOException {
    Channel channel = request.accept();
    JsonRpcServices.serve(channel, this);
  }

  @FunctionalInterface
  private interface FsCall<T> {
    T run() throws IOException;
  }

  /** Runs {@code call} on a worker; a failure answers with the typed JSON-RPC error. */
  private static <T> CompletableFuture<T> async(String path, FsCall<T> call) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call.run();
      } catch (IOException e) {
        throw toResponseError(FileSystemError.of(e, String.valueOf(path)));
      } catch (RuntimeException e) {
        throw toResponseError(new FileSystemError(Kind.Unavailable, String.valueOf(path), e.toString()));
      }
    }, Workers.shared());
  }

  static ResponseErrorException toResponseError(FileSystemError error) {
    JsonObject data = new JsonObject();
    data.addProperty("kind", error.kind().name());
    data.addProperty("path", error.path());
    return new ResponseErrorException(new ResponseError(ERROR_CODE, error.getMessage(), data));
  }

  @Override
  public CompletableFuture<FileStat> stat(PathParams params) {
    return async(params.path, () -> stat(HostPaths.absolute(params.path)));
  }

  static FileStat stat(Path path) throws IOException {
    boolean link = Files.isSymbolicLink(path);
    FileStat stat = new FileStat();
    stat.symlink = link;
    Map<String, Object> unix;
    try {
      unix = Files.readAttributes(path, UNIX_ATTRIBUTES);
      stat.type = typeOf(Files.readAttributes(path, BasicFileAttributes.class));
    } catch (NoSuchFileException e) {
      if (!link) {
        throw e;
      }
      unix = Files.readAttributes(path, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS); // a dangling link
      stat.type = FileType.symlink;
    }
    stat.size = (Long) unix.get("size");
    stat.mtimeMillis = ((FileTime) unix.get("lastModifiedTime")).toMillis();
    stat.ctimeMillis = ((FileTime) unix.get("ctime")).toMillis();
    stat.mode = (Integer) unix.get("mode") & 07777;
    return stat;
  }

  static FileType typeOf(BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return FileType.directory;
    }
    if (attributes.isRegularFile()) {
      return FileType.file;
    }
    return attributes.isSymbolicLink() ? FileType.symlink : FileType.other;
  }

  @Override
  public CompletableFuture<List<DirEntry>> readDir(PathParams params) {
    return async(params.path, () -> {
      Path dir = HostPaths.absolute(params.path);
      List<DirEntry> entries = new ArrayList<>();
      try (var stream = Files.newDirectoryStream(dir)) {
        for (Path child : stream) {
          entries.add(entry(child));
        }
      }
      entries.sort(Comparator.comparing(e -> e.name));
      return entries;
    });
  }

  private static DirEntry entry(Path child) throws IOException {
    try {
      Map<String, Object> unix = Files.readAttributes(child, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      BasicFileAttributes basic = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return new DirEntry(child.getFileName().toString(), typeOf(basic), (Long) unix.get("size"),
          ((FileTime) unix.get("lastModifiedTime")).toMillis(), (Integer) unix.get("mode") & 07777);
    } catch (NoSuchFileException goneMeanwhile) {
      return new DirEntry(child.getFileName().toString(), FileType.other, 0, 0, 0);
    }
  }

  @Override
  public CompletableFuture<Void> mkdir(PathParams params) {
    return async(params.path, () -> {
      Path dir = HostPaths.absolute(params.path);
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new FileSystemError(Kind.FileExists, params.path, "exists and is not a directory");
      }
      Files.createDirectories(dir);
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> delete(DeleteParams params) {
    return async(params.path, () -> {
      Path path = HostPaths.absolute(params.path);
      if (params.recursive && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(path);
      } else {
        Files.delete(path);
      }
      return null;
    });
  }

  static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
        if (failure != null) {
          throw failure;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public CompletableFuture<Void> rename(TwoPathParams params) {
    return async(params.from, () -> {
      Path from = HostPaths.absolute(params.from);
      Path to = HostPaths.absolute(params.to);
      requireSource(from, params.from);
      if (!params.overwrite && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileSystemError(Kind.FileExists, params.to, "rename with overwrite to replace it");
      }
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException otherFileSystem) {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw FileSystemError.of(e, to);
      }
      return null;
    });
  }

  private static void requireSource(Path from, String named) throws FileSystemError {
    if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileSystemError(Kind.FileNotFound, named);
    }
  }

  @Override
  public CompletableFuture<Void> copy(TwoPathParams params) {
    return async(params.from, () -> {
      Path from = HostPaths.absolute(params.from);
      Path to = HostPaths.absolute(params.to);
      requireSource(from, params.from);
      if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
        if (!params.overwrite) {
          throw new FileSystemError(Kind.FileExists, params.to, "copy with overwrite to replace it");
        }
        if (from.toRealPath().equals(to.toRealPath())) {
          throw new FileSystemError(Kind.FileExists, params.to, "source and target are the same file");
        }
      }
      if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
        if (to.toAbsolutePath().normalize().startsWith(from.toRealPath())) {
          throw new FileSystemError(Kind.Unavailable, params.to, "cannot copy a directory into itself");
        }
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(to);
        }
        copyTree(from, to);
      } else {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
            LinkOption.NOFOLLOW_LINKS);
      }
      return null;
    });
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public CompletableFuture<String> realpath(PathParams params) {
    return async(params.path, () -> HostPaths.absolute(params.path).toRealPath().toString());
  }
}
