package dev.tether.adapters.lsp.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A {@code file:} URI split into the parts path translation cares about, keeping the exact text the
 * peer sent so that it can be given back unchanged.
 *
 * <p>The path is normalized: a URI whose decoded path has {@code .} or {@code ..} segments (spelled
 * plainly, percent-encoded as {@code %2e%2e}, or produced by an encoded slash {@code %2F}) gets the
 * path those segments resolve to, the way the host's file system would resolve it, so that
 * {@code /srv/proj/../../root} can never pass for a path under {@code /srv/proj}. Such a URI is
 * {@linkplain #isCanonical() not canonical}: its spelling must not be given back to anyone, since it
 * says something other than its path.
 *
 * <p>Paths are handled in "URI path" form: decoded, absolute, {@code /}-separated, with a Windows drive
 * spelled {@code /c:/Users}. Comparisons go through {@link #key(String)}, which folds the drive letter
 * because editors disagree on its case ({@code C:} versus VS Code's {@code c%3A}).
 */
public final class FileUri {
  private final String spelledPrefix;
  private final String authority;
  private final String path;
  private final String suffix;
  private final boolean canonical;

  private FileUri(String spelledPrefix, String authority, String path, String suffix, boolean canonical) {
    this.spelledPrefix = spelledPrefix;
    this.authority = authority;
    this.path = path;
    this.suffix = suffix;
    this.canonical = canonical;
  }

  /** Parses {@code uri}; returns null when it is not a {@code file:} URI with an absolute path. */
  public static FileUri parse(String uri) {
    if (uri.length() < 6 || !uri.regionMatches(true, 0, "file:", 0, 5)) {
      return null;
    }
    int end = firstOf(uri, 5);
    String hierPart = uri.substring(5, end);
    String authority = "";
    String rawPath = hierPart;
    if (hierPart.startsWith("//")) {
      int slash = hierPart.indexOf('/', 2);
      authority = slash < 0 ? hierPart.substring(2) : hierPart.substring(2, slash);
      rawPath = slash < 0 ? "" : hierPart.substring(slash);
    }
    if (!rawPath.startsWith("/")) {
      return null;
    }
    String decoded = decode(rawPath);
    if (decoded.indexOf('\\') >= 0 && hasDotSegment(decoded.replace('\\', '/'))) {
      // A Windows editor would take "..\" for a parent step: resolve it as that editor would.
      decoded = decoded.replace('\\', '/');
      return new FileUri(uri.substring(0, end), authority, normalize(decoded), uri.substring(end), false);
    }
    boolean canonical = !hasDotSegment(decoded) && !hasEncodedSeparator(rawPath);
    String path = canonical ? decoded : normalize(decoded);
    return new FileUri(uri.substring(0, end), authority, path, uri.substring(end), canonical);
  }

  /** Whether {@code path} has a {@code .} or {@code ..} segment. */
  public static boolean hasDotSegment(String path) {
    int start = 0;
    while (start <= path.length()) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      int length = end - start;
      if ((length == 1 || length == 2) && path.startsWith("..".substring(0, length), start)) {
        return true;
      }
      if (slash < 0) {
        return false;
      }
      start = slash + 1;
    }
    return false;
  }

  /** {@code %2F}: a separator that only appears once decoded. */
  private static boolean hasEncodedSeparator(String rawPath) {
    for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
      int value = hexValue(rawPath, i + 1);
      if (value == '/') {
        return true;
      }
    }
    return false;
  }

  private static int firstOf(String uri, int from) {
    for (int i = from; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return uri.length();
  }

  /** The URI as the peer spelled it, without query and fragment. */
  public String spelledPrefix() {
    return spelledPrefix;
  }

  /** The decoded URI path, e.g. {@code /home/u/My Proj/a.py}. */
  public String path() {
    return path;
  }

  /** The raw {@code ?query#fragment} tail (often empty), carried over verbatim by translations. */
  public String suffix() {
    return suffix;
  }

  /**
   * Whether the spelling says exactly what {@link #path()} says: no dot segments, encoded or not, and
   * no encoded separators. Only a canonical spelling may be remembered and handed back to a peer.
   */
  public boolean isCanonical() {
    return canonical;
  }

  /** The authority as spelled ({@code ""} for {@code file:///x}). */
  public String authority() {
    return authority;
  }

  /**
   * Whether the URI names this machine's file system. {@code file://server/share} names a network
   * share that no mapping can describe, so it is left alone.
   */
  public boolean isLocalHost() {
    return authority.isEmpty() || authority.equalsIgnoreCase("localhost");
  }

  /** Canonical spelling of a URI path: {@code file://} plus {@link #encode(String)}. */
  public static String format(String path) {
    return "file://" + encode(path);
  }

  /** Comparison key for a URI path: the Windows drive letter folded to lower case. */
  public static String key(String path) {
    if (hasDrive(path) && Character.isUpperCase(path.charAt(1))) {
      return "/" + Character.toLowerCase(path.charAt(1)) + path.substring(2);
    }
    return path;
  }

  static boolean hasDrive(String path) {
    return path.length() >= 3 && path.charAt(0) == '/' && isAsciiLetter(path.charAt(1))
        && path.charAt(2) == ':' && (path.length() == 3 || path.charAt(3) == '/');
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * Converts a plain absolute path ({@code /home/u}, {@code C:\Users\me}) or a {@code file:} URI to a
   * normalized URI path. Throws {@link IllegalArgumentException} for anything else.
   */
  public static String toUriPath(String pathOrUri) {
    FileUri uri = parse(pathOrUri);
    if (uri != null) {
      return normalize(uri.path());
    }
    if (pathOrUri.length() >= 3 && isAsciiLetter(pathOrUri.charAt(0)) && pathOrUri.charAt(1) == ':'
        && (pathOrUri.charAt(2) == '\\' || pathOrUri.charAt(2) == '/')) {
      return normalize("/" + pathOrUri.replace('\\', '/'));
    }
    if (pathOrUri.startsWith("/")) {
      return normalize(pathOrUri);
    }
    throw new IllegalArgumentException("not an absolute path or file: URI: " + pathOrUri);
  }

  /** Plain-path form of a URI path: {@code /c:/x} becomes {@code c:/x}, POSIX paths are unchanged. */
  public static String toPlainPath(String uriPath) {
    return hasDrive(uriPath) ? uriPath.substring(1) : uriPath;
  }

  /** Collapses duplicate slashes and {@code .}/{@code ..} segments; drops a trailing slash. */
  public static String normalize(String path) {
    StringBuilder out = new StringBuilder();
    ArrayDeque<String> segments = new ArrayDeque<>();
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(segment);
      }
    }
    for (String segment : segments) {
      out.append('/').append(segment);
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /** Percent-decodes UTF-8; a malformed escape is kept literally rather than rejected. */
  public static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      int escaped = c == '%' ? hexValue(raw, i + 1) : -1;
      if (escaped >= 0) {
        bytes.write(escaped);
        i += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
        bytes.writeBytes(raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
        i++;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int hexValue(String raw, int at) {
    if (at + 1 >= raw.length()) {
      return -1;
    }
    int hi = Character.digit(raw.charAt(at), 16);
    int lo = Character.digit(raw.charAt(at + 1), 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  /**
   * Percent-encodes a URI path. Only what RFC 3986 forbids in a path is escaped (space, non-ASCII,
   * {@code %?#[]} and friends); peers parse either spelling, and the ones they sent are given back
   * verbatim anyway (see {@code SpellingMemory}).
   */
  public static String encode(String path) {
    StringBuilder out = new StringBuilder(path.length() + 16);
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (isPathChar(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static boolean isPathChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "-._~/!$&'()*+,;=:@".indexOf(c) >= 0;
  }

  @Override
  public String toString() {
    return spelledPrefix + suffix;
  }
}
