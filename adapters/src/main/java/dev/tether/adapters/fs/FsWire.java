package dev.tether.adapters.fs;

import com.google.gson.Gson;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON shapes of the streaming fs channels ({@code fs.watch}, {@code fs.search}): their OPEN
 * metadata and their messages. One place knows them, for both halves. See docs/FS.md.
 */
public final class FsWire {
  public static final Gson GSON = new Gson();

  private FsWire() {}

  /** OPEN metadata of {@code fs.write}. */
  public static final class WriteRequest {
    public String path;
    public boolean create = true;
    public boolean overwrite = true;
  }

  /** OPEN metadata of {@code fs.watch}. */
  public static final class WatchRequest {
    public String path;
    public boolean recursive = true;
    /** Globs of paths not to watch; a glob without '/' matches any path segment (e.g. node_modules, .git). */
    public List<String> excludes = new ArrayList<>();
    /** Poll instead of using inotify (the fallback, forced). */
    public boolean poll;
    public long pollIntervalMillis = 1000;
    /** Changes closer together than this are sent as one batch. */
    public long debounceMillis = 100;
  }

  /** OPEN_OK metadata of {@code fs.watch}. */
  public static final class WatchStarted {
    /** "inotify" (the host's native watcher) or "polling". */
    public String mode;
    public String warning;
  }

  /** A message of {@code fs.watch}: a batch of changes, or a warning (e.g. the inotify limit and the fallback). */
  public static final class WatchMessage {
    public List<FileChange> changes;
    public String warning;
  }

  /** OPEN metadata of {@code fs.search}. */
  public static final class SearchRequest {
    public String path;
    public String query;
    public boolean regex;
    public boolean caseSensitive = true;
    /** If not empty, only files matching one of these globs (a glob without '/' matches the file name). */
    public List<String> include = new ArrayList<>();
    public List<String> exclude = new ArrayList<>();
    /** Skip what .gitignore files (and .git/info/exclude) ignore, and .git itself. */
    public boolean gitignore = true;
    public int maxResults = 10_000;
  }

  /** A message of {@code fs.search}: a batch of matches, or the final summary. */
  public static final class SearchMessage {
    public List<SearchMatch> matches;
    public SearchSummary done;
  }

  /** The last message of {@code fs.search}. */
  public static final class SearchSummary {
    public long filesSearched;
    public long matches;
    /** True when maxResults stopped the search early. */
    public boolean truncated;
  }
}
