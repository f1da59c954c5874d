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
 * debounceMillis}; what arrives meanwhile joins the batch, the last change of a path winning (so a
 * file written in ten chunks is one {@code changed}, and one created then deleted within the period
 * is reported as deleted, which a client treats as "not there now").
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
      FileChange earlier = pending.remove(change.path);
      if (earlier != null && earlier.type == FileChange.Type.created && change.type == FileChange.Type.changed) {
        change = earlier; // still news of a creation
      }
      pending.put(change.path, change);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    scheduler.schedule(this::flush, debounceMillis, TimeUnit.MILLISECONDS);
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
