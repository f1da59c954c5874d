package dev.tether.adapters.fs.remote;

import dev.tether.adapters.fs.FileChange;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The fallback watcher: rescans the tree every interval and reports the differences (size or
 * modification time for changes). Costs a walk per interval, which is why it is only the fallback.
 *
 * <p>Threading: scans run on the watch's scheduler thread.
 */
final class Poller implements WatchHost.Watcher {
  /** What one scan records of a path. */
  private record Seen(long mtimeNanos, long size, boolean directory) {}

  private final Path root;
  private final boolean recursive;
  private final Globs excludes;
  private final long intervalMillis;
  private final ScheduledExecutorService scheduler;
  private final Consumer<FileChange> sink;
  private Map<Path, Seen> snapshot;
  private ScheduledFuture<?> task;

  Poller(Path root, boolean recursive, Globs excludes, long intervalMillis, ScheduledExecutorService scheduler,
      Consumer<FileChange> sink) throws IOException {
    this.root = root;
    this.recursive = recursive;
    this.excludes = excludes;
    this.intervalMillis = Math.max(50, intervalMillis);
    this.scheduler = scheduler;
    this.sink = sink;
    this.snapshot = scan();
  }

  @Override
  public void start() {
    task = scheduler.scheduleWithFixedDelay(this::poll, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    Map<Path, Seen> now;
    try {
      now = scan();
    } catch (IOException rootGone) {
      now = Map.of();
    }
    for (Map.Entry<Path, Seen> entry : now.entrySet()) {
      Seen before = snapshot.get(entry.getKey());
      if (before == null) {
        sink.accept(new FileChange(FileChange.Type.created, entry.getKey().toString()));
      } else if (!entry.getValue().directory() && !before.equals(entry.getValue())) {
        sink.accept(new FileChange(FileChange.Type.changed, entry.getKey().toString()));
      }
    }
    for (Path gone : snapshot.keySet()) {
      if (!now.containsKey(gone)) {
        sink.accept(new FileChange(FileChange.Type.deleted, gone.toString()));
      }
    }
    snapshot = now;
  }

  private Map<Path, Seen> scan() throws IOException {
    Map<Path, Seen> seen = new HashMap<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (dir.equals(root)) {
          return FileVisitResult.CONTINUE;
        }
        if (excludes.matches(root.relativize(dir))) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        seen.put(dir, new Seen(0, 0, true));
        return recursive ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (file.equals(root) || !excludes.matches(root.relativize(file))) {
          seen.put(file, new Seen(attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), attrs.size(), false));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return seen;
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
    }
  }
}
