package dev.tether.adapters.fs.remote;

import dev.tether.adapters.fs.FileChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Debounces changes into batches: the first change of a quiet period starts a timer of {@code
 * debounceMillis}; what arrives meanwhile joins the batch, changes of one path merged by {@link
 * #merge} (so a file written in ten chunks is one {@code changed}).
 *
 * <p>Threading: {@link #add} from the watcher's thread; batches are delivered on the scheduler's thread.
 */
final class ChangeBatcher {
  private final ScheduledExecutorService scheduler;
  private final long debounceMillis;
  private final Consumer<List<FileChange>> sink;
  private final Map<String, FileChange> pending = new LinkedHashMap<>();
  private boolean scheduled;

  ChangeBatcher(ScheduledExecutorService scheduler, long debounceMillis, Consumer<List<FileChange>> sink) {
    this.scheduler = scheduler;
    this.debounceMillis = Math.max(0, debounceMillis);
    this.sink = sink;
  }

  void add(FileChange change) {
    synchronized (this) {
      FileChange merged = merge(pending.remove(change.path), change);
      if (merged != null) {
        pending.put(merged.path, merged);
      }
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    scheduler.schedule(this::flush, debounceMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * What a client needs to know of two changes of one path within a batch, as VS Code's coalescer
   * has it: created+changed is created, created+deleted is nothing, deleted+created is changed (an
   * editor's atomic save), otherwise the later change.
   */
  static FileChange merge(FileChange earlier, FileChange later) {
    if (earlier == null) {
      return later;
    }
    if (earlier.type == FileChange.Type.created) {
      return later.type == FileChange.Type.deleted ? null : earlier;
    }
    if (earlier.type == FileChange.Type.deleted && later.type == FileChange.Type.created) {
      return new FileChange(FileChange.Type.changed, later.path);
    }
    return later;
  }

  private void flush() {
    List<FileChange> batch;
    synchronized (this) {
      batch = new ArrayList<>(pending.values());
      pending.clear();
      scheduled = false;
    }
    if (!batch.isEmpty()) {
      sink.accept(batch);
    }
  }
}
