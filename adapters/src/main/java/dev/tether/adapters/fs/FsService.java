package dev.tether.adapters.fs;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

/**
 * The agent's {@code fs} channel: JSON-RPC requests on host paths (absolute only). A failure answers
 * with a JSON-RPC error of code {@link #ERROR_CODE} whose data is {@code {kind, path}}, see
 * {@link FileSystemError}. File content does not travel here but on {@code fs.read} / {@code fs.write}
 * byte channels, so a large file never sits whole in a JSON message. Documented in docs/FS.md.
 */
public interface FsService {
  /** JSON-RPC error code of a {@link FileSystemError} (in the range JSON-RPC leaves to servers). */
  int ERROR_CODE = -32050;

  /** Type, size, times and mode of a path; follows symbolic links (and says whether it was one). */
  @JsonRequest("fs/stat")
  CompletableFuture<FileStat> stat(PathParams params);

  /** The entries of a directory, sorted by name; each with its own stat (links not followed). */
  @JsonRequest("fs/readDir")
  CompletableFuture<List<DirEntry>> readDir(PathParams params);

  /** Creates a directory and, like {@code mkdir -p}, its missing parents; an existing directory is fine. */
  @JsonRequest("fs/mkdir")
  CompletableFuture<Void> mkdir(PathParams params);

  /** Deletes a file, link or empty directory; a directory with content only with {@code recursive}. */
  @JsonRequest("fs/delete")
  CompletableFuture<Void> delete(DeleteParams params);

  /** Renames (moves) {@code from} to {@code to}; replaces an existing target only with {@code overwrite}. */
  @JsonRequest("fs/rename")
  CompletableFuture<Void> rename(TwoPathParams params);

  /** Copies a file, or a directory with everything under it; modes and times are kept. */
  @JsonRequest("fs/copy")
  CompletableFuture<Void> copy(TwoPathParams params);

  /** The canonical absolute path: symbolic links, {@code .} and {@code ..} resolved. */
  @JsonRequest("fs/realpath")
  CompletableFuture<String> realpath(PathParams params);

  /** Parameters naming one path. */
  final class PathParams {
    public String path;

    public PathParams() {}

    public PathParams(String path) {
      this.path = path;
    }
  }

  /** Parameters of {@code fs/delete}. */
  final class DeleteParams {
    public String path;
    public boolean recursive;

    public DeleteParams() {}

    public DeleteParams(String path, boolean recursive) {
      this.path = path;
      this.recursive = recursive;
    }
  }

  /** Parameters of {@code fs/rename} and {@code fs/copy}. */
  final class TwoPathParams {
    public String from;
    public String to;
    public boolean overwrite;

    public TwoPathParams() {}

    public TwoPathParams(String from, String to, boolean overwrite) {
      this.from = from;
      this.to = to;
      this.overwrite = overwrite;
    }
  }
}
