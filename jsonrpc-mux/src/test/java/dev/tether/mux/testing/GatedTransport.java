package dev.tether.mux.testing;

import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A transport whose output can be held shut, as a full socket buffer would hold it: a write blocks
 * while the gate is closed. It records which thread made each write, so a test can tell a frame the
 * application thread wrote itself from one the session's writer thread wrote.
 */
public final class GatedTransport implements Transport {
  private final Transport inner;
  private final Object gate = new Object();
  private final Semaphore blockedWriters = new Semaphore(0);
  private final List<String> writerThreads = new CopyOnWriteArrayList<>();
  private boolean open = true;

  public GatedTransport(Transport inner) {
    this.inner = inner;
  }

  private final OutputStream out = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      synchronized (gate) {
        if (!open) {
          blockedWriters.release();
        }
        while (!open) {
          try {
            gate.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted at the closed gate");
          }
        }
      }
      writerThreads.add(Thread.currentThread().getName());
      inner.output().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      inner.output().flush();
    }
  };

  /** Holds every later write until {@link #openGate}. */
  public void closeGate() {
    synchronized (gate) {
      open = false;
    }
  }

  public void openGate() {
    synchronized (gate) {
      open = true;
      gate.notifyAll();
    }
  }

  /** Waits until some thread is blocked at the closed gate. */
  public boolean awaitBlockedWriter(long timeout, TimeUnit unit) throws InterruptedException {
    return blockedWriters.tryAcquire(timeout, unit);
  }

  /** The names of the threads that made each write, in order. */
  public List<String> writerThreads() {
    return writerThreads;
  }

  @Override
  public InputStream input() {
    return inner.input();
  }

  @Override
  public OutputStream output() {
    return out;
  }

  @Override
  public void close() {
    openGate();
    inner.close();
  }

  @Override
  public String description() {
    return "gated " + inner.description();
  }
}
