package dev.tether.adapters.fs.remote;

import dev.tether.adapters.fs.FileChange;
import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FileSystemError.Kind;
import dev.tether.adapters.fs.FsWire;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote half of {@code fs.watch}: watches a path with the host's inotify (through Java's
 * WatchService), or by polling when asked or when the inotify limit is reached, and sends debounced
 * batches of changes until the client closes the channel.
 *
 * <p>Threading: the accepting worker stays to read the client's side (its end is the cancel); the
 * watcher has its own thread; batches are written by the watch's scheduler thread, so a client that
 * stops reading stalls only its own watch.
 */
public final class WatchHost {
  private static final Logger LOG = LoggerFactory.getLogger(WatchHost.class);

  public void open(OpenRequest request) throws IOException {
    FsWire.WatchRequest watch;
    Path root;
    try {
      watch = FsWire.GSON.fromJson(request.metadata(), FsWire.WatchRequest.class);
      if (watch == null) {
        throw new IllegalArgumentException("no metadata");
      }
      root = HostPaths.absolute(watch.path);
      if (!Files.exists(root)) {
        throw new FileSystemError(Kind.FileNotFound, watch.path);
      }
    } catch (FileSystemError e) {
      request.reject(ErrorCode.SERVICE_ERROR, e.reason());
      return;
    } catch (RuntimeException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, "fs.watch needs metadata {\"path\": \"/absolute/path\", "
          + "\"recursive\": true, \"excludes\": [\"node_modules\", \".git\"]}: " + e.getMessage());
      return;
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "fs.watch " + watch.path);
      thread.setDaemon(true);
      return thread;
    });
    ActiveWatch active = new ActiveWatch(watch, root, scheduler);
    try {
      active.start();
      active.channel = request.accept(FsWire.GSON.toJson(active.started));
      active.run();
      active.awaitCancel();
    } catch (IOException | RuntimeException e) {
      String reason = FileSystemError.of(e instanceof IOException io ? io : new IOException(e.toString()), watch.path)
          .reason();
      if (active.channel == null) {
        request.reject(ErrorCode.SERVICE_ERROR, reason);
      } else {
        active.channel.reset(ErrorCode.SERVICE_ERROR, reason);
      }
    } finally {
      active.stop();
      scheduler.shutdownNow();
    }
  }

  /** Something that reports changes until closed: {@link InotifyWatcher} or {@link Poller}. */
  interface Watcher extends AutoCloseable {
    void start();

    @Override
    void close();
  }

  /** One running watch: its watcher (which may change to a poller midway), its batcher, its channel. */
  private static final class ActiveWatch {
    final FsWire.WatchRequest request;
    final Path root;
    final Globs excludes;
    final ScheduledExecutorService scheduler;
    final ChangeBatcher batcher;
    final FsWire.WatchStarted started = new FsWire.WatchStarted();
    volatile Channel channel;
    private Watcher watcher;
    private volatile boolean stopped;

    ActiveWatch(FsWire.WatchRequest request, Path root, ScheduledExecutorService scheduler) {
      this.request = request;
      this.root = root;
      this.excludes = new Globs(request.excludes);
      this.scheduler = scheduler;
      this.batcher = new ChangeBatcher(scheduler, request.debounceMillis, this::send);
    }

    /** Sets the watches up (before the channel is accepted, so the answer names the mode). */
    void start() throws IOException {
      if (!request.poll) {
        try {
          watcher = new InotifyWatcher(root, request.recursive, excludes, batcher::add, this::fallBack);
          started.mode = "inotify";
          return;
        } catch (InotifyWatcher.LimitReached e) {
          started.warning = e.getMessage() + "; " + pollingNote();
        }
      }
      watcher = new Poller(root, request.recursive, excludes, request.pollIntervalMillis, scheduler, batcher::add);
      started.mode = "polling";
    }

    private String pollingNote() {
      return "watching " + root + " by polling every " + request.pollIntervalMillis + " ms instead";
    }

    synchronized void run() {
      watcher.start();
    }

    /** The inotify limit was reached for a directory created later: poll from now on, and say so. */
    private void fallBack(InotifyWatcher.LimitReached e) {
      scheduler.execute(() -> {
        synchronized (this) {
          if (stopped) {
            return;
          }
          watcher.close();
          try {
            watcher = new Poller(root, request.recursive, excludes, request.pollIntervalMillis, scheduler, batcher::add);
            watcher.start();
          } catch (IOException failure) {
            channel.reset(ErrorCode.SERVICE_ERROR, FileSystemError.of(failure, request.path).reason());
            return;
          }
        }
        FsWire.WatchMessage warning = new FsWire.WatchMessage();
        warning.warning = e.getMessage() + "; " + pollingNote();
        write(warning);
      });
    }

    private void send(List<FileChange> changes) {
      FsWire.WatchMessage message = new FsWire.WatchMessage();
      message.changes = changes;
      write(message);
    }

    private void write(FsWire.WatchMessage message) {
      try {
        channel.writeMessage(FsWire.GSON.toJson(message).getBytes(StandardCharsets.UTF_8));
      } catch (IOException gone) {
        LOG.debug("fs.watch {}: channel gone: {}", root, gone.toString());
      }
    }

    /** The client sends nothing; its end of stream (or a reset, or the session's end) stops the watch. */
    void awaitCancel() {
      try {
        while (channel.readMessage() != null) {
          // nothing expected
        }
        channel.close();
      } catch (IOException reset) {
        // the channel is already gone
      }
    }

    synchronized void stop() {
      stopped = true;
      if (watcher != null) {
        watcher.close();
      }
    }
  }
}
