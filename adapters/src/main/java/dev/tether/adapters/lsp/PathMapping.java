package dev.tether.adapters.lsp;

import dev.tether.adapters.lsp.internal.FileUri;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --map LOCAL=REMOTE} pair: a directory on the editor's machine and the directory on the
 * remote host that holds the same tree.
 *
 * <p>Both prefixes are kept as normalized, decoded URI paths ({@code /home/u/My Proj},
 * {@code /c:/Users/u/proj}); either side may be given as a plain absolute path, a Windows path for the
 * local side, or a {@code file:} URI. Matching is segment-boundary aware: {@code /home/a/proj} covers
 * {@code /home/a/proj} and {@code /home/a/proj/x}, never {@code /home/a/project2}.
 *
 * @param local  the local directory, as a URI path
 * @param remote the remote directory, as a URI path
 */
public record PathMapping(String local, String remote) {

  public PathMapping {
    local = FileUri.toUriPath(local);
    remote = FileUri.toUriPath(remote);
  }

  /**
   * Parses {@code LOCAL=REMOTE}. A path may itself contain {@code =}; the split chosen is the only one
   * where both sides are absolute, and an ambiguous spec is rejected rather than guessed.
   *
   * @throws IllegalArgumentException with a message fit for a usage error
   */
  public static PathMapping parse(String spec) {
    List<PathMapping> candidates = new ArrayList<>();
    for (int eq = spec.indexOf('='); eq >= 0; eq = spec.indexOf('=', eq + 1)) {
      try {
        candidates.add(new PathMapping(spec.substring(0, eq), spec.substring(eq + 1)));
      } catch (IllegalArgumentException notThisSplit) {
        // Try the next '='.
      }
    }
    if (candidates.size() != 1) {
      throw new IllegalArgumentException("--map expects LOCAL=REMOTE with two absolute paths or file: URIs"
          + (candidates.isEmpty() ? "" : " (ambiguous '=')") + ", got: " + spec);
    }
    return candidates.get(0);
  }

  /** Whether the local URI path {@code path} lies in this mapping's local directory. */
  public boolean coversLocal(String path) {
    return covers(local, path);
  }

  /** Whether the remote URI path {@code path} lies in this mapping's remote directory. */
  public boolean coversRemote(String path) {
    return covers(remote, path);
  }

  /** Translates a covered local URI path to the remote side. */
  public String toRemotePath(String localPath) {
    return rebase(localPath, local, remote);
  }

  /** Translates a covered remote URI path to the local side. */
  public String toLocalPath(String remotePath) {
    return rebase(remotePath, remote, local);
  }

  private static boolean covers(String prefix, String path) {
    if (prefix.equals("/")) {
      return path.startsWith("/");
    }
    String key = FileUri.key(path);
    String prefixKey = FileUri.key(prefix);
    return key.equals(prefixKey) || (key.startsWith(prefixKey) && key.charAt(prefixKey.length()) == '/');
  }

  private static String rebase(String path, String from, String to) {
    String rest = from.equals("/") ? path : path.substring(from.length());
    if (rest.isEmpty()) {
      return to;
    }
    return to.equals("/") ? rest : to + rest;
  }

  @Override
  public String toString() {
    return FileUri.toPlainPath(local) + "=" + remote;
  }
}
