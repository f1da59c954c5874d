package dev.tether.adapters.fs.remote;

import dev.tether.adapters.fs.FileChange;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Watches with the host's native watcher (inotify on Linux, one watch per directory), registering
 * directories as they appear. A rename arrives as {@code deleted} old + {@code created} new; a new
 * directory's content that appeared before its watch did is reported as created.
 *
 * <p>Threading: the constructor registers on the caller's thread; events are read on the watcher's
 * own thread, which ends on {@link #close}.
 */
final class InotifyWatcher implements WatchHost.Watcher {
  /** The host's inotify limit (watches or instances) stopped the watch; the message says which and how to raise it. */
  static final class LimitReached extends IOException {
    private static final long serialVersionUID = 1L;

    LimitReached(String message) {
      super(message);
    }
  }

  private final Path root;
  private final boolean recursive;
  private final Globs excludes;
  private final Consumer<FileChange> sink;
  private final Consumer<LimitReached> onLimit;
  private final Path watchedFile;
  private final WatchService service;
  private final Map<WatchKey, Path> directories = new ConcurrentHashMap<>();
  private Thread thread;

  InotifyWatcher(Path root, boolean recursive, Globs excludes, Consumer<FileChange> sink,
      Consumer<LimitReached> onLimit) throws IOException {
    this.root = root;
    this.recursive = recursive;
    this.excludes = excludes;
    this.sink = sink;
    this.onLimit = onLimit;
    this.watchedFile = Files.isDirectory(root) ? null : root;
    try {
      this.service = root.getFileSystem().newWatchService();
    } catch (IOException e) {
      throw limitOr(e);
    }
    try {
      if (watchedFile != null) {
        register(root.getParent());
      } else {
        registerTree(root, false);
      }
    } catch (IOException e) {
      service.close();
      throw e;
    }
  }

  @Override
  public void start() {
    thread = new Thread(this::loop, "fs.watch inotify " + root);
    thread.setDaemon(true);
    thread.start();
  }

  private static IOException limitOr(IOException e) {
    String message = String.valueOf(e.getMessage());
    if (!message.contains("inotify")) {
      return e;
    }
    return new LimitReached("the host's inotify limit is reached (" + message + "; fs.inotify.max_user_watches = "
        + readLimit("/proc/sys/fs/inotify/max_user_watches") + ", fs.inotify.max_user_instances = "
        + readLimit("/proc/sys/fs/inotify/max_user_instances")
        + "; raise it with 'sysctl fs.inotify.max_user_watches=524288', or exclude big directories)");
  }

  private static String readLimit(String file) {
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private void register(Path dir) throws IOException {
    try {
      WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      directories.put(key, dir);
    } catch (IOException e) {
      throw limitOr(e);
    }
  }

  /** Registers {@code top} and, when recursive, every directory below it; optionally reports their content as created. */
  private void registerTree(Path top, boolean reportCreated) throws IOException {
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (!dir.equals(root) && excludes.matches(root.relativize(dir))) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        register(dir);
        if (reportCreated && !dir.equals(top)) {
          sink.accept(new FileChange(FileChange.Type.created, dir.toString()));
        }
        return recursive || dir.equals(root) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (reportCreated && !excludes.matches(root.relativize(file))) {
          sink.accept(new FileChange(FileChange.Type.created, file.toString()));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof LimitReached) {
          throw e;
        }
        return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: nothing to watch there
      }
    });
  }

  private void loop() {
    try {
      while (true) {
        WatchKey key = service.take();
        Path dir = directories.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
          if (dir != null && !handle(dir, event)) {
            return;
          }
        }
        if (!key.reset()) {
          directories.remove(key);
          if (root.equals(dir)) {
            sink.accept(new FileChange(FileChange.Type.deleted, root.toString())); // the root itself went
          }
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException stopped) {
      // closed
    }
  }

  /** Reports one event; false when the watch must stop (the inotify limit; the fallback takes over). */
  private boolean handle(Path dir, WatchEvent<?> event) {
    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
      sink.accept(new FileChange(FileChange.Type.changed, root.toString())); // events lost: rescan the root
      return true;
    }
    Path child = dir.resolve((Path) event.context());
    if (watchedFile != null ? !child.equals(watchedFile) : excludes.matches(root.relativize(child))) {
      return true;
    }
    boolean directory = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
      sink.accept(new FileChange(FileChange.Type.created, child.toString()));
      if (directory && recursive && watchedFile == null) {
        try {
          registerTree(child, true);
        } catch (LimitReached e) {
          onLimit.accept(e);
          return false;
        } catch (IOException goneMeanwhile) {
          // deleted before we looked: its delete event follows
        }
      }
    } else if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
      sink.accept(new FileChange(FileChange.Type.deleted, child.toString()));
    } else if (!directory) {
      sink.accept(new FileChange(FileChange.Type.changed, child.toString()));
    }
    return true;
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
