package dev.tether.mux.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two transports joined back to back in memory, for tests and benchmarks. {@link #close()} behaves
 * like closing a TCP socket (what was written still reaches the peer, then end of stream);
 * {@link Link#cut()} behaves like a network failure (bytes in flight are lost, both ends fail).
 */
public final class InMemoryTransport implements Transport {
  private final Pipe in;
  private final Pipe out;
  private final String description;

  private InMemoryTransport(Pipe in, Pipe out, String description) {
    this.in = in;
    this.out = out;
    this.description = description;
  }

  /** Both ends of one in-memory connection. */
  public record Link(InMemoryTransport initiator, InMemoryTransport acceptor) {
    /** Breaks the connection as a network failure would: buffered bytes are lost. */
    public void cut() {
      initiator.in.breakPipe();
      initiator.out.breakPipe();
    }
  }

  public static Link pair(int bufferBytes) {
    Pipe toAcceptor = new Pipe(bufferBytes);
    Pipe toInitiator = new Pipe(bufferBytes);
    return new Link(new InMemoryTransport(toInitiator, toAcceptor, "in-memory initiator"),
        new InMemoryTransport(toAcceptor, toInitiator, "in-memory acceptor"));
  }

  public static Link pair() {
    return pair(256 * 1024);
  }

  @Override
  public InputStream input() {
    return in.input;
  }

  @Override
  public OutputStream output() {
    return out.output;
  }

  @Override
  public void close() {
    out.finishWriting();
    in.breakPipe();
  }

  @Override
  public String description() {
    return description;
  }

  /** A bounded byte ring between one writer and one reader. */
  static final class Pipe {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final byte[] ring;
    private int head;
    private int count;
    private boolean writerDone;
    private boolean broken;

    final InputStream input = new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return Pipe.this.read(b, off, len);
      }

      @Override
      public void close() {
        breakPipe();
      }
    };

    final OutputStream output = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Pipe.this.write(b, off, len);
      }

      @Override
      public void close() {
        finishWriting();
      }
    };

    Pipe(int capacity) {
      ring = new byte[capacity];
    }

    int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      lock.lock();
      try {
        while (count == 0 && !writerDone && !broken) {
          notEmpty.awaitUninterruptibly();
        }
        if (broken || count == 0) {
          return -1;
        }
        int n = Math.min(len, count);
        int first = Math.min(n, ring.length - head);
        System.arraycopy(ring, head, b, off, first);
        System.arraycopy(ring, 0, b, off + first, n - first);
        head = (head + n) % ring.length;
        count -= n;
        notFull.signal();
        return n;
      } finally {
        lock.unlock();
      }
    }

    void write(byte[] b, int off, int len) throws IOException {
      lock.lock();
      try {
        while (len > 0) {
          while (count == ring.length && !broken && !writerDone) {
            notFull.awaitUninterruptibly();
          }
          if (broken || writerDone) {
            throw new IOException("in-memory transport closed");
          }
          int n = Math.min(len, ring.length - count);
          int tail = (head + count) % ring.length;
          int first = Math.min(n, ring.length - tail);
          System.arraycopy(b, off, ring, tail, first);
          System.arraycopy(b, off + first, ring, 0, n - first);
          count += n;
          off += n;
          len -= n;
          notEmpty.signal();
        }
      } finally {
        lock.unlock();
      }
    }

    void finishWriting() {
      lock.lock();
      try {
        writerDone = true;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void breakPipe() {
      lock.lock();
      try {
        broken = true;
        count = 0;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
