package dev.tether.mux.testing;

import dev.tether.mux.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A clock that moves only when the test calls {@link #advance}; due tasks then run on the test's
 * thread, in time order. No sleeping anywhere.
 */
public final class FakeScheduler implements Scheduler {
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long now = 1_000_000_000L;
  private long order;

  private final class Task implements Comparable<Task>, Cancellable {
    final long due;
    final long seq;
    final Runnable body;
    boolean cancelled;

    Task(long due, Runnable body) {
      this.due = due;
      this.body = body;
      this.seq = order++;
    }

    @Override
    public int compareTo(Task other) {
      return due != other.due ? Long.compare(due, other.due) : Long.compare(seq, other.seq);
    }

    @Override
    public void cancel() {
      synchronized (FakeScheduler.this) {
        cancelled = true;
      }
    }
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    Task t = new Task(now + unit.toNanos(delay), task);
    tasks.add(t);
    return t;
  }

  /** Moves time forward, running each task that falls due at its own instant. */
  public void advance(Duration by) {
    long target;
    synchronized (this) {
      target = now + by.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, next.due);
        if (next.cancelled) {
          continue;
        }
      }
      next.body.run();
    }
  }

  /** Jumps the clock without running anything, as when this process was frozen. */
  public synchronized void jump(Duration by) {
    now += by.toNanos();
  }

  public synchronized List<Long> pendingDueTimes() {
    List<Long> out = new ArrayList<>();
    for (Task t : tasks) {
      if (!t.cancelled) {
        out.add(t.due);
      }
    }
    return out;
  }
}
