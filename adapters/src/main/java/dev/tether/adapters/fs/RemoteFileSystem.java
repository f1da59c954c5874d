package dev.tether.adapters.fs;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.fs.FileSystemError.Kind;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import dev.tether.mux.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;

/**
 * Local half of the remote file system: a host's files through its agent. Takes a {@link
 * ChannelOpener} ({@code session::open}, or {@code DaemonClient.opener(spec)} through the daemon).
 * Every failure about a path is a {@link FileSystemError} naming it.
 *
 * <p>Threading: the request methods may be called from any thread, concurrently; they share one
 * {@code fs} channel, opened on first use. Each stream, watch and search has its own channel and is
 * used by one thread at a time.
 */
public final class RemoteFileSystem implements AutoCloseable {
  private final ChannelOpener opener;
  private Channel requests;
  private FsService service;

  public RemoteFileSystem(ChannelOpener opener) {
    this.opener = opener;
  }

  // ---- requests on the fs channel ------------------------------------------------------------

  public FileStat stat(String path) throws IOException {
    return call(path, fs -> fs.stat(new FsService.PathParams(path)));
  }

  public List<DirEntry> readDir(String path) throws IOException {
    return call(path, fs -> fs.readDir(new FsService.PathParams(path)));
  }

  /** {@code mkdir -p}. */
  public void mkdir(String path) throws IOException {
    call(path, fs -> fs.mkdir(new FsService.PathParams(path)));
  }

  public void delete(String path, boolean recursive) throws IOException {
    call(path, fs -> fs.delete(new FsService.DeleteParams(path, recursive)));
  }

  public void rename(String from, String to, boolean overwrite) throws IOException {
    call(from, fs -> fs.rename(new FsService.TwoPathParams(from, to, overwrite)));
  }

  public void copy(String from, String to, boolean overwrite) throws IOException {
    call(from, fs -> fs.copy(new FsService.TwoPathParams(from, to, overwrite)));
  }

  public String realpath(String path) throws IOException {
    return call(path, fs -> fs.realpath(new FsService.PathParams(path)));
  }

  private synchronized FsService service() throws IOException {
    if (service == null || requests.closeFuture().isDone()) { // first use, or the last channel ended
      requests = opener.open(ChannelKinds.FS, ChannelFlavour.MESSAGES, "");
      Launcher<FsService> launcher = new Launcher.Builder<FsService>()
          .setLocalService(new Object())
          .setRemoteInterface(FsService.class)
          .setInput(LspStreams.input(requests))
          .setOutput(LspStreams.output(requests, 16 * 1024 * 1024))
          .setExecutorService(Workers.shared())
          .create();
      launcher.startListening();
      service = launcher.getRemoteProxy();
    }
    return service;
  }

  /**
   * Sends one request and waits for its answer, or for the channel's end: LSP4J leaves a request
   * pending forever when its stream ends, so a lost agent must not mean a hung caller.
   */
  private <T> T call(String path, java.util.function.Function<FsService, CompletableFuture<T>> request)
      throws IOException {
    FsService fs;
    Channel channel;
    synchronized (this) {
      fs = service();
      channel = requests;
    }
    CompletableFuture<T> pending = request.apply(fs);
    try {
      CompletableFuture.anyOf(pending, channel.closeFuture()).exceptionally(ended -> null).get();
      if (!pending.isDone()) {
        String reason = channel.closeFuture()
            .handle((ok, e) -> e == null ? "the agent closed the fs channel" : "connection to the agent lost: "
                + messageOf(e instanceof java.util.concurrent.CompletionException ? e.getCause() : e))
            .join();
        pending.cancel(true);
        throw new FileSystemError(Kind.Unavailable, path, reason);
      }
      return pending.get();
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the agent");
    } catch (ExecutionException e) {
      throw failure(e.getCause(), path);
    }
  }

  private static String messageOf(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private static IOException failure(Throwable cause, String path) {
    if (cause instanceof ResponseErrorException rpc) {
      return fromResponse(rpc.getResponseError(), path);
    }
    if (cause instanceof IOException io) {
      return io;
    }
    return new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
  }

  static FileSystemError fromResponse(ResponseError error, String path) {
    Object data = error.getData();
    JsonObject fields = data instanceof JsonElement json && json.isJsonObject() ? json.getAsJsonObject()
        : data instanceof JsonObject obj ? obj : null;
    Kind kind = Kind.ofReason(error.getMessage());
    String named = path;
    if (fields != null && fields.has("path")) {
      named = fields.get("path").getAsString();
    }
    if (kind == null) {
      return new FileSystemError(Kind.Unavailable, named, error.getMessage());
    }
    return FileSystemError.fromReason(error.getMessage(), named);
  }

  // ---- content on byte channels --------------------------------------------------------------

  /** The file's bytes, streamed (never loaded whole); read errors arrive as {@link FileSystemError}. */
  public InputStream openRead(String path) throws IOException {
    Channel channel = open(ChannelKinds.FS_READ, ChannelFlavour.BYTES, path, pathMetadata(path));
    InputStream in = channel.inputStream();
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return in.read(b, off, len);
        } catch (MuxException e) {
          throw FileSystemError.fromReason(e.reason(), path);
        }
      }

      @Override
      public void close() {
        channel.close();
      }
    };
  }

  /**
   * A stream that replaces (or creates) the file atomically. {@link OutputStream#close()} ends the
   * content and waits for the agent: it returns once the new file is in place, or throws the typed
   * error (the old file is then untouched). {@link FileWriter#abort()} gives up without changing anything.
   */
  public FileWriter openWrite(String path, boolean create, boolean overwrite) throws IOException {
    FsWire.WriteRequest request = new FsWire.WriteRequest();
    request.path = path;
    request.create = create;
    request.overwrite = overwrite;
    return new FileWriter(open(ChannelKinds.FS_WRITE, ChannelFlavour.BYTES, path, FsWire.GSON.toJson(request)), path);
  }

  /** Writes all of {@code in} to {@code path} (create and overwrite); returns the byte count. */
  public long writeFile(String path, InputStream in) throws IOException {
    FileWriter out = openWrite(path, true, true);
    long total;
    try {
      total = 0;
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; total += n) {
        out.write(buffer, 0, n);
      }
    } catch (IOException | RuntimeException e) {
      out.abort();
      throw e;
    }
    out.close();
    return total;
  }

  public byte[] readAllBytes(String path) throws IOException {
    try (InputStream in = openRead(path)) {
      return in.readAllBytes();
    }
  }

  /** See {@link #openWrite}. */
  public static final class FileWriter extends OutputStream {
    private final Channel channel;
    private final String path;
    private boolean closed;

    FileWriter(Channel channel, String path) {
      this.channel = channel;
      this.path = path;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        channel.write(b, off, len);
      } catch (MuxException e) {
        throw FileSystemError.fromReason(e.reason(), path);
      }
    }

    /** Ends the content and waits until the agent has put the file in place (or says why not). */
    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        channel.halfClose();
        byte[] nothing = new byte[1];
        while (channel.read(nothing, 0, 1) >= 0) {
          // The agent sends no bytes; its end of stream is the success.
        }
      } catch (MuxException e) {
        throw FileSystemError.fromReason(e.reason(), path);
      }
    }

    /** Gives up: the agent removes its temporary file and the target stays as it was. */
    public void abort() {
      closed = true;
      channel.reset(ErrorCode.CANCELLED, "write of " + path + " abandoned by the client");
    }
  }

  // ---- streams of events and results ---------------------------------------------------------

  /** Starts watching {@code request.path}; see {@link Watch}. */
  public Watch watch(FsWire.WatchRequest request) throws IOException {
    Channel channel = open(ChannelKinds.FS_WATCH, ChannelFlavour.MESSAGES, request.path, FsWire.GSON.toJson(request));
    return new Watch(channel, request.path);
  }

  /** Starts a search; see {@link Search}. */
  public Search search(FsWire.SearchRequest request) throws IOException {
    Channel channel = open(ChannelKinds.FS_SEARCH, ChannelFlavour.MESSAGES, request.path, FsWire.GSON.toJson(request));
    return new Search(channel, request.path);
  }

  /** A running watch: {@link #next()} gives batches of changes; {@link #close()} stops it on the host. */
  public static final class Watch implements AutoCloseable {
    private final Channel channel;
    private final String path;
    private final FsWire.WatchStarted started;

    Watch(Channel channel, String path) {
      this.channel = channel;
      this.path = path;
      this.started = FsWire.GSON.fromJson(channel.acceptMetadata(), FsWire.WatchStarted.class);
    }

    /** "inotify" or "polling". */
    public String mode() {
      return started == null ? null : started.mode;
    }

    /** Set when the agent had to fall back (e.g. the inotify watch limit), saying so. */
    public String warning() {
      return started == null ? null : started.warning;
    }

    /** Blocks for the next message: a batch of changes or a warning; null when the watch ended. */
    public FsWire.WatchMessage next() throws IOException {
      try {
        byte[] message = channel.readMessage();
        return message == null ? null
            : FsWire.GSON.fromJson(new String(message, StandardCharsets.UTF_8), FsWire.WatchMessage.class);
      } catch (MuxException e) {
        throw FileSystemError.fromReason(e.reason(), path);
      }
    }

    @Override
    public void close() {
      channel.close();
    }
  }

  /** A running search: {@link #next()} gives matches as they are found; {@link #close()} cancels it. */
  public static final class Search implements AutoCloseable {
    private final Channel channel;
    private final String path;
    private List<SearchMatch> batch = List.of();
    private int at;
    private FsWire.SearchSummary summary;
    private volatile boolean cancelled;

    Search(Channel channel, String path) {
      this.channel = channel;
      this.path = path;
    }

    /**
     * The next match, or null at the end: then {@link #summary()} is set, unless the search was
     * {@link #cancel cancelled} first.
     */
    public SearchMatch next() throws IOException {
      while (at == batch.size()) {
        if (summary != null) {
          return null;
        }
        FsWire.SearchMessage message = read();
        if (message == null) {
          if (cancelled) {
            return null;
          }
          throw new FileSystemError(Kind.Unavailable, path, "the search ended without its summary");
        }
        summary = message.done;
        batch = message.matches == null ? List.of() : message.matches;
        at = 0;
      }
      return batch.get(at++);
    }

    private FsWire.SearchMessage read() throws IOException {
      try {
        byte[] message = channel.readMessage();
        return message == null ? null
            : FsWire.GSON.fromJson(new String(message, StandardCharsets.UTF_8), FsWire.SearchMessage.class);
      } catch (MuxException e) {
        throw FileSystemError.fromReason(e.reason(), path);
      }
    }

    public FsWire.SearchSummary summary() {
      return summary;
    }

    /**
     * Asks the host to stop; {@link #next()} then yields what was already sent and null once the host
     * has stopped (without a summary if it stopped early).
     */
    public void cancel() throws IOException {
      cancelled = true;
      channel.halfClose();
    }

    /** Cancels the search on the host if it is still running, and discards what is in flight. */
    @Override
    public void close() {
      cancelled = true;
      channel.close();
    }
  }

  private Channel open(String kind, ChannelFlavour flavour, String path, String metadata) throws IOException {
    try {
      return opener.open(kind, flavour, metadata);
    } catch (ChannelOpenException e) {
      throw Kind.ofReason(e.reason()) != null ? FileSystemError.fromReason(e.reason(), path) : e;
    }
  }

  private static String pathMetadata(String path) {
    JsonObject meta = new JsonObject();
    meta.addProperty("path", path);
    return meta.toString();
  }

  @Override
  public synchronized void close() {
    if (requests != null) {
      requests.close();
    }
  }
}
