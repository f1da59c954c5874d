package dev.tether.adapters.lsp;

import dev.tether.adapters.lsp.internal.FileUri;
import dev.tether.adapters.lsp.internal.SpellingMemory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates {@code file:} URIs between the editor's machine and the remote host, from the
 * {@code --map LOCAL=REMOTE} pairs of the command line.
 *
 * <ul>
 *   <li>Longest prefix wins, on segment boundaries ({@link PathMapping}).
 *   <li>Prefixes are compared on decoded paths, so {@code My%20Proj} matches {@code My Proj} and
 *       {@code file:///c%3A/x} matches {@code C:\x}.
 *   <li>Spellings are remembered: every URI translated in either direction is recorded for its path,
 *       and a URI produced for that path later is spelled exactly as that side spelled it. The editor
 *       gets its own {@code file:///home/u/My%20Proj/a.py} back even if the server re-encoded it.
 *   <li>A path outside every mapping is returned unchanged (identity; still spelled as remembered);
 *       non-{@code file:} URIs ({@code untitled:}, {@code jdt:}, {@code https:}) always are.
 *   <li>The host is not trusted with the editor's file system ({@code docs/SECURITY.md}). A host URI
 *       with dot segments ({@code /srv/proj/../../root/.bashrc}, {@code %2e%2e}, {@code %2F..}) is
 *       normalized first, so it is mapped as the file the host means ({@code /root/.bashrc}, outside
 *       the mapping), and spelled canonically, never as the host spelled it. A host {@code file:} URI
 *       that names another machine ({@code file://evil/x}) or has no absolute path ({@code file:../x})
 *       is rejected: it becomes a {@value #REJECTED_SCHEME} URI that no editor can open, with a log line.
 * </ul>
 *
 * <p>Thread-safe: immutable mappings plus {@link SpellingMemory}, which locks only around map
 * operations. One instance per editor connection, since spellings are per client.
 */
public final class PathMapper {
  private static final Logger log = LoggerFactory.getLogger(PathMapper.class);
  private static final int SPELLINGS_PER_SIDE = 8192;

  /** The scheme a rejected host URI is replaced with; it names nothing any editor can open. */
  public static final String REJECTED_SCHEME = "tether-rejected";

  private final List<PathMapping> byLocalLength;
  private final List<PathMapping> byRemoteLength;
  private final SpellingMemory clientSpellings = new SpellingMemory(SPELLINGS_PER_SIDE);
  private final SpellingMemory serverSpellings = new SpellingMemory(SPELLINGS_PER_SIDE);

  public PathMapper(List<PathMapping> mappings) {
    this.byLocalLength = sortedLongestFirst(mappings, PathMapping::local);
    this.byRemoteLength = sortedLongestFirst(mappings, PathMapping::remote);
  }

  /** Builds a mapper from {@code --map} values ({@code LOCAL=REMOTE} each). */
  public static PathMapper parse(List<String> mapSpecs) {
    List<PathMapping> mappings = new ArrayList<>();
    for (String spec : mapSpecs) {
      mappings.add(PathMapping.parse(spec));
    }
    return new PathMapper(mappings);
  }

  private static List<PathMapping> sortedLongestFirst(
      List<PathMapping> mappings, Function<PathMapping, String> side) {
    List<PathMapping> sorted = new ArrayList<>(mappings);
    sorted.sort(Comparator.comparingInt((PathMapping m) -> side.apply(m).length()).reversed());
    return List.copyOf(sorted);
  }

  /** The mappings, longest local prefix first. */
  public List<PathMapping> mappings() {
    return byLocalLength;
  }

  /** Translates an editor-side URI to the remote host's. */
  public String toRemote(String uri) {
    FileUri parsed = FileUri.parse(uri);
    if (parsed == null || !parsed.isLocalHost()) {
      return uri;
    }
    remember(clientSpellings, parsed);
    Optional<PathMapping> mapping = mappingForLocal(parsed.path());
    return mapping.isPresent()
        ? translate(parsed, mapping.get()::toRemotePath, serverSpellings)
        : identity(parsed, serverSpellings);
  }

  /** Translates a remote-host URI to the editor's; see the class comment for what is rejected. */
  public String toLocal(String uri) {
    FileUri parsed = parseFromHost(uri);
    if (parsed == null) {
      return isFileScheme(uri) ? reject(uri, "not an absolute file: URI on the host") : uri;
    }
    remember(serverSpellings, parsed);
    Optional<PathMapping> mapping = mappingForRemote(parsed.path());
    return mapping.isPresent()
        ? translate(parsed, mapping.get()::toLocalPath, clientSpellings)
        : identity(parsed, clientSpellings);
  }

  /**
   * Parses a URI the host sent: null unless it is a {@code file:} URI of the host's own file system
   * with an absolute path. A non-canonical one (dot segments) is logged, since an honest server
   * rarely sends one; its {@link FileUri#path()} is already the normalized path.
   */
  public static FileUri parseFromHost(String uri) {
    FileUri parsed = FileUri.parse(uri);
    if (parsed == null || !parsed.isLocalHost()) {
      return null;
    }
    if (!parsed.isCanonical()) {
      log.warn("the host sent a file URI with dot segments, {}; taken as the host's {}", uri, parsed.path());
    }
    return parsed;
  }

  /** Whether {@code uri} claims the {@code file:} scheme. */
  public static boolean isFileScheme(String uri) {
    return uri.regionMatches(true, 0, "file:", 0, 5);
  }

  /**
   * Replaces a host URI the editor must not follow by one that names nothing: the message still flows,
   * and the editor shows an unknown document rather than opening one of the user's files.
   */
  public static String reject(String uri, String why) {
    log.warn("rejected a URI from the host ({}): {}", why, uri);
    return REJECTED_SCHEME + ":" + FileUri.encode(uri);
  }

  /** Only a spelling that says exactly what its path says may be handed back to a peer later. */
  private static void remember(SpellingMemory spellings, FileUri uri) {
    if (uri.isCanonical()) {
      spellings.remember(uri);
    }
  }

  /**
   * Translates an editor-side URI through {@code via} rather than the configured mappings; used for
   * extra mappings that apply only in some situations, such as the cache of host-only files.
   * {@code uri} must be a {@code file:} URI that {@code via} covers.
   */
  public String toRemote(String uri, PathMapping via) {
    FileUri parsed = requireCovered(uri, via.coversLocal(pathOf(uri)), via);
    remember(clientSpellings, parsed);
    return translate(parsed, via::toRemotePath, serverSpellings);
  }

  /** Remote-to-editor counterpart of {@link #toRemote(String, PathMapping)}. */
  public String toLocal(String uri, PathMapping via) {
    FileUri parsed = requireCovered(uri, via.coversRemote(pathOf(uri)), via);
    remember(serverSpellings, parsed);
    return translate(parsed, via::toLocalPath, clientSpellings);
  }

  private static String pathOf(String uri) {
    FileUri parsed = FileUri.parse(uri);
    return parsed == null ? "" : parsed.path();
  }

  private static FileUri requireCovered(String uri, boolean covered, PathMapping via) {
    if (!covered) {
      throw new IllegalArgumentException(uri + " is not covered by " + via);
    }
    return FileUri.parse(uri);
  }

  /**
   * Translates a plain local path (not a URI), as found in {@code InitializeParams.rootPath}, to a
   * plain remote path. Unmapped or unparsable paths are returned unchanged.
   */
  public String toRemotePath(String localPath) {
    String uriPath;
    try {
      uriPath = FileUri.toUriPath(localPath);
    } catch (IllegalArgumentException notAbsolute) {
      return localPath;
    }
    Optional<PathMapping> mapping = mappingForLocal(uriPath);
    return mapping.isPresent() ? FileUri.toPlainPath(mapping.get().toRemotePath(uriPath)) : localPath;
  }

  /** The mapping with the longest local prefix covering the local URI path, if any. */
  public Optional<PathMapping> mappingForLocal(String localPath) {
    return byLocalLength.stream().filter(m -> m.coversLocal(localPath)).findFirst();
  }

  /** The mapping with the longest remote prefix covering the remote URI path, if any. */
  public Optional<PathMapping> mappingForRemote(String remotePath) {
    return byRemoteLength.stream().filter(m -> m.coversRemote(remotePath)).findFirst();
  }

  /**
   * Same path on both sides: the other side's own spelling if it used one, else untouched (else the
   * canonical spelling, when the original says something other than its path).
   */
  private static String identity(FileUri uri, SpellingMemory targetSpellings) {
    return targetSpellings.spell(uri.path(), uri.isCanonical() ? uri.spelledPrefix() : null) + uri.suffix();
  }

  private static String translate(
      FileUri uri, Function<String, String> rebase, SpellingMemory targetSpellings) {
    return targetSpellings.spell(rebase.apply(uri.path())) + uri.suffix();
  }
}
