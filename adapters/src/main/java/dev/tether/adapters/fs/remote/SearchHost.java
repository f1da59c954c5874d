package dev.tether.adapters.fs.remote;

import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FileSystemError.Kind;
import dev.tether.adapters.fs.FsWire;
import dev.tether.adapters.fs.SearchMatch;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Workers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Remote half of {@code fs.search}: walks the tree under the root (symbolic links not followed,
 * .gitignore'd paths and {@code .git} skipped unless asked otherwise, binary files skipped), sends
 * matching lines in batches as they are found, then a summary, then ends. The client closing the
 * channel cancels the walk; a slow client slows the walk through flow control.
 */
public final class SearchHost {
  private static final int BATCH = 100;
  private static final int MAX_TEXT = 1000;
  private static final int BINARY_PROBE = 8192;
  private static final int MAX_LINE = 64 * 1024;

  public void open(OpenRequest request) throws IOException {
    FsWire.SearchRequest search;
    Path root;
    Pattern pattern;
    try {
      search = FsWire.GSON.fromJson(request.metadata(), FsWire.SearchRequest.class);
      if (search == null || search.query == null || search.query.isEmpty()) {
        request.reject(ErrorCode.CHANNEL_REFUSED, "fs.search needs metadata {\"path\": \"/absolute/dir\", \"query\": \"text\"}");
        return;
      }
      root = HostPaths.absolute(search.path);
      if (!Files.exists(root)) {
        throw new FileSystemError(Kind.FileNotFound, search.path);
      }
      pattern = compile(search);
    } catch (FileSystemError e) {
      request.reject(ErrorCode.SERVICE_ERROR, e.reason());
      return;
    } catch (PatternSyntaxException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, "invalid regular expression: " + e.getDescription() + " in "
          + e.getPattern());
      return;
    } catch (RuntimeException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, "bad fs.search metadata: " + e.getMessage());
      return;
    }
    Channel channel = request.accept();
    Walk walk = new Walk(channel, search, root, pattern);
    Workers.shared().execute(walk::watchForCancel);
    try {
      walk.run();
      channel.close(); // finished or cancelled: our side ends either way
    } catch (IOException e) {
      if (!walk.cancelled) {
        channel.reset(ErrorCode.SERVICE_ERROR, FileSystemError.of(e, search.path).reason());
      }
    }
  }

  private static Pattern compile(FsWire.SearchRequest search) {
    int flags = search.caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    return Pattern.compile(search.regex ? search.query : Pattern.quote(search.query), flags);
  }

  /** One search's walk; {@link #cancelled} is set from the thread that reads the client's side. */
  private static final class Walk {
    private final Channel channel;
    private final FsWire.SearchRequest search;
    private final Path root;
    private final Pattern pattern;
    private final Globs include;
    private final Globs exclude;
    private final List<SearchMatch> batch = new ArrayList<>();
    private final FsWire.SearchSummary summary = new FsWire.SearchSummary();
    volatile boolean cancelled;

    Walk(Channel channel, FsWire.SearchRequest search, Path root, Pattern pattern) {
      this.channel = channel;
      this.search = search;
      this.root = root;
      this.pattern = pattern;
      this.include = new Globs(search.include);
      this.exclude = new Globs(search.exclude);
    }

    /** The client sends nothing; its end of stream (or a reset) is the cancel. */
    void watchForCancel() {
      try {
        while (channel.readMessage() != null) {
          // ignore
        }
      } catch (IOException reset) {
        // fall through
      }
      cancelled = true;
    }

    void run() throws IOException {
      List<GitIgnore> ignores = new ArrayList<>();
      if (search.gitignore) {
        addIgnore(ignores, GitIgnore.load(root, root.resolve(".git/info/exclude")));
      }
      if (Files.isDirectory(root)) {
        walk(root, ignores);
      } else {
        searchFile(root);
      }
      if (cancelled) {
        return;
      }
      flush();
      FsWire.SearchMessage done = new FsWire.SearchMessage();
      done.done = summary;
      send(done);
    }

    private static void addIgnore(List<GitIgnore> ignores, GitIgnore ignore) {
      if (ignore != null) {
        ignores.add(ignore);
      }
    }

    private void walk(Path dir, List<GitIgnore> ignores) throws IOException {
      int depth = ignores.size();
      if (search.gitignore) {
        addIgnore(ignores, GitIgnore.load(dir, dir.resolve(".gitignore")));
      }
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
        stream.forEach(children::add);
      } catch (IOException unreadable) {
        if (dir.equals(root)) {
          throw unreadable;
        }
        return; // like grep -r: a directory we may not read is skipped, the rest is searched
      }
      children.sort(null);
      for (Path child : children) {
        if (stopped()) {
          break;
        }
        boolean directory = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
        Path relative = root.relativize(child);
        if (exclude.matches(relative) || search.gitignore && (child.getFileName().toString().equals(".git")
            || GitIgnore.ignored(ignores, child, directory))) {
          continue;
        }
        if (directory) {
          walk(child, ignores);
        } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)
            && (include.isEmpty() || include.matchesFile(relative))) {
          searchFile(child);
        }
      }
      while (ignores.size() > depth) {
        ignores.remove(ignores.size() - 1);
      }
    }

    private boolean stopped() {
      return cancelled || summary.truncated;
    }

    private void searchFile(Path file) throws IOException {
      try (InputStream in = Files.newInputStream(file)) {
        byte[] probe = in.readNBytes(BINARY_PROBE);
        for (byte b : probe) {
          if (b == 0) {
            return; // binary
          }
        }
        summary.filesSearched++;
        InputStream whole = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(probe), in);
        BufferedReader reader = new BufferedReader(new InputStreamReader(whole, StandardCharsets.UTF_8));
        String line;
        int number = 0;
        while ((line = readLine(reader)) != null && !stopped()) {
          number++;
          Matcher m = pattern.matcher(line);
          if (m.find()) {
            add(file, number, m.start(), line);
          }
        }
      } catch (dev.tether.mux.MuxException channelGone) {
        throw channelGone;
      } catch (IOException unreadable) {
        // an unreadable file is skipped, like grep -r -s
      }
    }

    /**
     * The next line, cut at {@link #MAX_LINE} characters (the rest is skipped): a 300 MB minified
     * file on one line must not take the agent's whole heap.
     */
    private static String readLine(BufferedReader reader) throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = reader.read()) >= 0) {
        if (c == '\n') {
          return stripCr(line);
        }
        if (line.length() < MAX_LINE) {
          line.append((char) c);
        }
      }
      return c < 0 && line.length() == 0 ? null : stripCr(line);
    }

    private static String stripCr(StringBuilder line) {
      int end = line.length();
      return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }

    private void add(Path file, int line, int column, String text) throws IOException {
      SearchMatch match = new SearchMatch();
      match.path = file.toString();
      match.line = line;
      match.column = column;
      match.text = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
      batch.add(match);
      summary.matches++;
      if (summary.matches >= search.maxResults) {
        summary.truncated = true;
      }
      if (batch.size() >= BATCH) {
        flush();
      }
    }

    private void flush() throws IOException {
      if (batch.isEmpty() || cancelled) {
        return;
      }
      FsWire.SearchMessage message = new FsWire.SearchMessage();
      message.matches = new ArrayList<>(batch);
      batch.clear();
      send(message);
    }

    private void send(FsWire.SearchMessage message) throws IOException {
      channel.writeMessage(FsWire.GSON.toJson(message).getBytes(StandardCharsets.UTF_8));
    }
  }
}
