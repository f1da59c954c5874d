package dev.tether.adapters.lsp.internal;

import dev.tether.adapters.lsp.MaterializedCache;
import dev.tether.adapters.lsp.PathMapper;
import dev.tether.adapters.lsp.PathMapping;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates single URIs for the rewriter: {@link PathMapper} for the workspace, plus, when a
 * {@link MaterializedCache} is configured, read-only local copies of host-only files.
 *
 * <p>Server to editor, a remote file is host-only when it lies outside every mapping, or inside one but
 * missing on the editor's machine (generated sources, say). A host-only file the editor may open is
 * copied and named by its copy; one it will not open (see {@link Navigation}) is named by its copy
 * without fetching when it lies outside every mapping, and mapped normally otherwise (a workspace edit
 * may be creating it). A file copied earlier in the session is always named by its copy, so diagnostics
 * for a copied header reach the document the editor has open. If a copy cannot be made (missing, not
 * a regular file, too large, too slow: see {@link MaterializedCache}), a file outside every mapping is
 * still named by its (absent) copy, never by the host's path: on the editor's machine that path is
 * one of the user's own files ({@code /root/.bashrc}), which the host must not make the editor open
 * or edit. A file inside a mapping that cannot be copied is mapped normally.
 *
 * <p>Host URIs are normalized first ({@link PathMapper#parseFromHost}); a host {@code file:} URI that
 * no cache can hold (a NUL in the path) is rejected ({@link PathMapper#reject}).
 *
 * <p>Editor to server, a URI inside the cache directory goes back to the remote file it copies.
 */
public final class UriTranslator {
  private static final Logger log = LoggerFactory.getLogger(UriTranslator.class);

  private final PathMapper mapper;
  private final MaterializedCache cache;
  private final Predicate<Path> localExists;

  /**
   * @param cache       null to disable copies (then remote paths outside every mapping pass unchanged)
   * @param localExists tells whether a file exists on the editor's machine
   */
  public UriTranslator(PathMapper mapper, MaterializedCache cache, Predicate<Path> localExists) {
    this.mapper = mapper;
    this.cache = cache;
    this.localExists = localExists;
  }

  /** A translator for one message: it checks each host-only file at most once per message. */
  public ForMessage forMessage() {
    return new ForMessage();
  }

  /** Per-message view; not thread-safe. */
  public final class ForMessage {
    private final Map<String, Boolean> copyDecisions = new HashMap<>();

    /** Editor-side URI to the server's. */
    public String toServer(String uri) {
      FileUri parsed = FileUri.parse(uri);
      if (cache != null && parsed != null && parsed.isLocalHost()
          && cache.mapping().coversLocal(parsed.path())) {
        return mapper.toRemote(uri, cache.mapping());
      }
      return mapper.toRemote(uri);
    }

    /** Server-side URI to the editor's; {@code editorMayOpen} allows fetching a host-only file. */
    public String toClient(String uri, boolean editorMayOpen) {
      FileUri parsed = PathMapper.parseFromHost(uri);
      if (cache == null || parsed == null) {
        return mapper.toLocal(uri);
      }
      String remotePath = parsed.path();
      if (!cache.canHold(remotePath)) {
        return mapper.mappingForRemote(remotePath).isPresent()
            ? mapper.toLocal(uri) : PathMapper.reject(uri, "no local copy can name it");
      }
      boolean useCopy = copyDecisions.computeIfAbsent(
          remotePath + (editorMayOpen ? "\0open" : ""), k -> useCopy(remotePath, editorMayOpen));
      return useCopy ? mapper.toLocal(uri, cache.mapping()) : mapper.toLocal(uri);
    }
  }

  private boolean useCopy(String remotePath, boolean editorMayOpen) {
    if (cache.isMaterialized(remotePath)) {
      if (editorMayOpen) {
        fetch(remotePath); // Refreshes a changed file; an unchanged one costs a stat.
      }
      return true;
    }
    Optional<PathMapping> mapping = mapper.mappingForRemote(remotePath);
    if (mapping.isEmpty()) {
      if (editorMayOpen) {
        fetch(remotePath);
      }
      return true; // even without a copy: the host's path, taken locally, is one of the user's files
    }
    if (!editorMayOpen || existsLocally(mapping.get().toLocalPath(remotePath))) {
      return false;
    }
    return fetch(remotePath);
  }

  private boolean existsLocally(String localUriPath) {
    try {
      return localExists.test(Path.of(FileUri.toPlainPath(localUriPath)));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private boolean fetch(String remotePath) {
    try {
      cache.materialize(remotePath);
      return true;
    } catch (IOException | RuntimeException e) {
      log.warn("no local copy of host file {}: {}", remotePath, e.getMessage());
      return cache.isMaterialized(remotePath);
    }
  }
}
