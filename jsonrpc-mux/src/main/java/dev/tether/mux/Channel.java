package dev.tether.mux;

import dev.tether.mux.internal.Bytes;
import dev.tether.mux.internal.ReceiveWindow;
import dev.tether.mux.internal.SendWindow;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream of a {@link Session}: a byte stream or a sequence of whole messages, with its own
 * flow-control windows. Obtained from {@link Session#open} or {@link OpenRequest#accept}.
 *
 * <p>Threading: any number of threads may call the methods; reads block until data arrives, writes
 * block while the peer's window is exhausted (so a slow peer reader stalls only this channel). One
 * reader thread and one writer thread at a time is the expected use; concurrent {@link #write} and
 * {@link #writeMessage} calls are serialized so a message is never interleaved with another.
 * {@link #onReadable} and {@link #onWritable} callbacks run on the session's reader thread (and
 * {@link #onWritable} on a worker when the writer drained a full unsent queue) and must not block.
 */
public final class Channel {
  enum State { OPENING, PENDING, OPEN, CLOSED }

  /** A message body buffer starts this small and doubles as its bytes arrive (see readBody). */
  static final int INITIAL_MESSAGE_BUFFER = 8 * 1024;
  /**
   * DATA bytes a channel may have queued and not yet handed to the writer. The peer's window alone
   * does not bound that queue: a peer may grant up to 2^31-1 bytes and grant them again without
   * acknowledging anything, and what the application writes would pile up here while the replay
   * buffer is full. Twice the default window (1 MiB), so that with windows up to that size the window
   * binds first and this never does.
   */
  static final long MAX_UNSENT_BYTES = 2 * 1024 * 1024;

  private final Session session;
  private final ReentrantLock lock;
  private final Condition readable;
  /** Signalled when the unsent queue drops below {@link #MAX_UNSENT_BYTES} or the channel fails. */
  private final Condition drained;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final int id;
  private final String kind;
  private final ChannelFlavour flavour;
  private final String openMetadata;
  private final ReceiveWindow receiveWindow;
  private final SendWindow sendWindow;
  private final CompletableFuture<Channel> opened = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  // Guarded by the session lock.
  State state;
  private String acceptMetadata = "";
  private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
  private int headOffset;
  private long buffered;
  private boolean remoteFinished;
  private boolean inputClosed;
  private MuxException failure;
  final ArrayDeque<dev.tether.mux.internal.Frame> outbound = new ArrayDeque<>();
  boolean queuedForWrite;
  boolean outputClosed;
  private long unsent;
  private long bytesIn;
  private long bytesOut;

  private volatile Runnable onReadable;
  private volatile Runnable onWritable;

  Channel(Session session, int id, String kind, ChannelFlavour flavour, String openMetadata,
      int receiveWindowSize, int initialSendWindow, State state) {
    this(session, session.lock, id, kind, flavour, openMetadata, receiveWindowSize, initialSendWindow, state);
  }

  /** With a lock of its own and no session: only for tests of the session's parts (OutboundScheduler). */
  Channel(Session session, ReentrantLock lock, int id, String kind, ChannelFlavour flavour, String openMetadata,
      int receiveWindowSize, int initialSendWindow, State state) {
    this.session = session;
    this.lock = lock;
    this.readable = lock.newCondition();
    this.drained = lock.newCondition();
    this.id = id;
    this.kind = kind;
    this.flavour = flavour;
    this.openMetadata = openMetadata;
    this.receiveWindow = new ReceiveWindow(receiveWindowSize);
    this.sendWindow = new SendWindow(initialSendWindow);
    this.state = state;
  }

  public int id() {
    return id;
  }

  public String kind() {
    return kind;
  }

  public ChannelFlavour flavour() {
    return flavour;
  }

  public Session session() {
    return session;
  }

  /** The JSON metadata the opener sent with OPEN (e.g. which server to spawn). */
  public String openMetadata() {
    return openMetadata;
  }

  /** The JSON metadata the acceptor sent with OPEN_OK (e.g. the spawned process id). */
  public String acceptMetadata() {
    lock.lock();
    try {
      return acceptMetadata;
    } finally {
      lock.unlock();
    }
  }

  /** Completes when both directions have ended normally; fails with the reset or close reason. */
  public CompletableFuture<Void> closeFuture() {
    return closed;
  }

  CompletableFuture<Channel> openFuture() {
    return opened;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Blocks until at least one byte is available; returns -1 at the end of the peer's stream. */
  public int read(byte[] b, int off, int len) throws IOException {
    return read(b, off, len, true);
  }

  /** Like {@link #read} but never blocks: returns 0 when nothing is buffered yet. */
  public int readNow(byte[] b, int off, int len) throws IOException {
    return read(b, off, len, false);
  }

  /** Bytes buffered and readable without blocking. */
  public int available() {
    lock.lock();
    try {
      return (int) Math.min(Integer.MAX_VALUE, buffered);
    } finally {
      lock.unlock();
    }
  }

  private int read(byte[] b, int off, int len, boolean block) throws IOException {
    if (len == 0) {
      return 0;
    }
    lock.lock();
    try {
      while (buffered == 0) {
        if (failure != null) {
          throw failure;
        }
        if (remoteFinished || inputClosed) {
          return -1;
        }
        if (!block) {
          return 0;
        }
        awaitReadable();
      }
      int n = copyOut(b, off, len);
      session.returnCreditLocked(this, receiveWindow.release(n));
      return n;
    } finally {
      lock.unlock();
    }
  }

  private void awaitReadable() throws InterruptedIOException {
    try {
      readable.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading channel " + id);
    }
  }

  private int copyOut(byte[] b, int off, int len) {
    int done = 0;
    while (done < len && !inbound.isEmpty()) {
      byte[] head = inbound.peekFirst();
      int n = Math.min(len - done, head.length - headOffset);
      System.arraycopy(head, headOffset, b, off + done, n);
      headOffset += n;
      done += n;
      if (headOffset == head.length) {
        inbound.removeFirst();
        headOffset = 0;
        session.payloads().give(head); // fully read: the array's last holder was this queue
      }
    }
    buffered -= done;
    return done;
  }

  /**
   * Reads one whole message from a message channel; returns null at the end of the stream. A
   * message larger than the session's limit resets the channel with {@link ErrorCode#MESSAGE_TOO_LARGE}.
   */
  public byte[] readMessage() throws IOException {
    requireFlavour(ChannelFlavour.MESSAGES);
    byte[] prefix = new byte[4];
    int got = readFully(prefix, 0, 4);
    if (got == 0) {
      return null;
    }
    if (got < 4) {
      throw new EOFException("channel " + id + " ended inside a message length");
    }
    long length = Bytes.getInt(prefix, 0) & 0xFFFFFFFFL;
    if (length > session.config().maxMessageSize()) {
      String reason = "message of " + length + " bytes exceeds the limit of " + session.config().maxMessageSize();
      reset(ErrorCode.MESSAGE_TOO_LARGE, reason);
      throw new ChannelResetException(ErrorCode.MESSAGE_TOO_LARGE, reason, false);
    }
    byte[] body = readBody((int) length);
    if (body == null) {
      throw new EOFException("channel " + id + " ended inside a message of " + length + " bytes");
    }
    return body;
  }

  /**
   * Reads a body of the declared length into a buffer that grows as bytes arrive (doubling, capped at
   * the length), never allocating the declared length up front: a peer that declares 64 MiB and sends
   * ten bytes costs ten bytes, not 64 MiB. Returns null when the stream ends first.
   */
  private byte[] readBody(int length) throws IOException {
    byte[] body = new byte[Math.min(length, INITIAL_MESSAGE_BUFFER)];
    int filled = 0;
    while (filled < length) {
      if (filled == body.length) {
        body = Arrays.copyOf(body, (int) Math.min(length, Math.max(2L * body.length, filled + available())));
      }
      int n = read(body, filled, body.length - filled);
      if (n < 0) {
        return null;
      }
      filled += n;
    }
    return body;
  }

  private int readFully(byte[] b, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int n = read(b, off + done, len - done);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }

  /** Called by the session's reader with a DATA payload; returns a callback to run after unlocking. */
  Runnable receiveLocked(byte[] payload) {
    bytesIn += payload.length;
    if (inputClosed) {
      session.returnCreditLocked(this, receiveWindow.releaseNow(payload.length));
      session.payloads().give(payload); // discarded unread: nobody else holds it
      return null;
    }
    if (payload.length > 0) {
      inbound.addLast(payload);
      buffered += payload.length;
      readable.signalAll();
    }
    return onReadable;
  }

  boolean consumeWindowLocked(int n) {
    return receiveWindow.consume(n);
  }

  long windowAvailableLocked() {
    return receiveWindow.available();
  }

  int receiveWindowSize() {
    return receiveWindow.size();
  }

  Runnable remoteFinishedLocked() {
    remoteFinished = true;
    readable.signalAll();
    return onReadable;
  }

  boolean remoteFinished() {
    return remoteFinished;
  }

  // ---- writing -------------------------------------------------------------------------------

  /**
   * Writes all bytes, blocking while the peer's window is exhausted. When the session has nothing else
   * to send, the calling thread writes its frame to the transport itself (saving a hand-off to the
   * session's writer thread), so this may also block while the transport is full, as the writer
   * thread would. A transport failure during that write is not this call's failure: the frame is kept
   * for retransmission, as for any frame sent.
   */
  public void write(byte[] b, int off, int len) throws IOException {
    writeLock.lock();
    try {
      send(null, b, off, len);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Writes what the peer's window allows right now without blocking; returns the number of bytes
   * taken (0 when the window is empty or {@link #MAX_UNSENT_BYTES} wait to be sent: wait for
   * {@link #onWritable}).
   */
  public int tryWrite(byte[] b, int off, int len) throws IOException {
    if (!writeLock.tryLock()) {
      return 0;
    }
    try {
      if (unsentFull()) {
        return 0; // onWritable fires once the writer has drained the queue
      }
      int done = 0;
      while (done < len) {
        int n = sendWindow.tryConsume(Math.min(len - done, session.frameSize()));
        if (n == 0) {
          break;
        }
        byte[] payload = session.payloads().take(n);
        System.arraycopy(b, off + done, payload, 0, n);
        boolean roomLeft = session.enqueueData(this, payload, false); // never blocks
        done += n;
        if (!roomLeft) {
          break; // the unsent queue is full: onWritable fires once the writer has drained it
        }
      }
      return done;
    } finally {
      writeLock.unlock();
    }
  }

  /** Sends one whole message on a message channel. */
  public void writeMessage(byte[] body) throws IOException {
    writeMessage(body, 0, body.length);
  }

  public void writeMessage(byte[] body, int off, int len) throws IOException {
    requireFlavour(ChannelFlavour.MESSAGES);
    byte[] prefix = new byte[4];
    Bytes.putInt(prefix, 0, len);
    writeLock.lock();
    try {
      send(prefix, body, off, len);
    } finally {
      writeLock.unlock();
    }
  }

  /** Splits prefix + body into frames no larger than the frame size, waiting for window as needed. */
  private void send(byte[] prefix, byte[] b, int off, int len) throws IOException {
    int prefixLeft = prefix == null ? 0 : prefix.length;
    int prefixAt = 0;
    long left = (long) prefixLeft + len;
    while (left > 0) {
      int n = sendWindow.consume((int) Math.min(left, session.frameSize()));
      byte[] payload = session.payloads().take(n); // every byte below is overwritten
      int fromPrefix = Math.min(prefixLeft, n);
      if (fromPrefix > 0) {
        System.arraycopy(prefix, prefixAt, payload, 0, fromPrefix);
        prefixAt += fromPrefix;
        prefixLeft -= fromPrefix;
      }
      System.arraycopy(b, off, payload, fromPrefix, n - fromPrefix);
      off += n - fromPrefix;
      left -= n;
      session.enqueueData(this, payload, true);
    }
  }

  void checkWritableLocked() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (outputClosed) {
      throw new IOException("channel " + id + " (" + kind + "): write after half-close");
    }
  }

  void countSentLocked(int n) {
    bytesOut += n;
  }

  /** {@code n} DATA bytes were queued for the writer; returns false when the queue is now full. */
  boolean queuedLocked(int n) {
    unsent += n;
    return unsent < MAX_UNSENT_BYTES;
  }

  /**
   * The writer took {@code n} queued DATA bytes. Returns the {@link #onWritable} callback when that
   * brought a full queue below its bound (to be run outside the lock), else null; waiting writers wake.
   */
  Runnable dequeuedLocked(int n) {
    boolean wasFull = unsent >= MAX_UNSENT_BYTES;
    unsent -= n;
    if (!wasFull || unsent >= MAX_UNSENT_BYTES) {
      return null;
    }
    drained.signalAll();
    return onWritable;
  }

  private boolean unsentFull() {
    lock.lock();
    try {
      return unsentFullLocked();
    } finally {
      lock.unlock();
    }
  }

  boolean unsentFullLocked() {
    return unsent >= MAX_UNSENT_BYTES && failure == null;
  }

  /** Waits (under the session lock, which it releases meanwhile) until the unsent queue has room. */
  void awaitUnsentRoomLocked() throws InterruptedIOException {
    while (unsentFullLocked()) {
      try {
        drained.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while channel " + id + " waited for its queue to drain");
      }
    }
  }

  /** Unsent DATA bytes queued (for tests). */
  long unsentBytes() {
    lock.lock();
    try {
      return unsent;
    } finally {
      lock.unlock();
    }
  }

  Runnable creditLocked(int increment) {
    return sendWindow.expand(increment) ? onWritable : null;
  }

  void openedLocked(int peerWindow, String metadata) {
    state = State.OPEN;
    acceptMetadata = metadata;
    if (peerWindow > 0) {
      sendWindow.expand(peerWindow);
    }
  }

  // ---- closing -------------------------------------------------------------------------------

  /** Ends this side's output: the peer reads end of stream once it has read everything sent. */
  public void halfClose() throws IOException {
    writeLock.lock();
    try {
      session.enqueueHalfClose(this);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Stops reading: buffered and future bytes are discarded and their credit returned at once, so the
   * peer is never left waiting on a reader that is gone.
   */
  public void closeInput() {
    lock.lock();
    try {
      if (inputClosed) {
        return;
      }
      inputClosed = true;
      int discarded = (int) buffered;
      inbound.clear();
      headOffset = 0;
      buffered = 0;
      session.returnCreditLocked(this, receiveWindow.releaseNow(discarded));
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Closes both directions gracefully: half-close output, discard input. */
  public void close() {
    closeInput();
    try {
      halfClose();
    } catch (IOException alreadyGone) {
      // Reset or session closed: nothing left to close gracefully.
    }
  }

  /** Aborts the channel both ways at once; the peer's reads and writes fail with this reason. */
  public void reset(ErrorCode code, String reason) {
    session.resetChannel(this, code, reason);
  }

  /** Marks the channel failed and wakes every waiter; returns false when it had already ended. */
  boolean failLocked(MuxException reason) {
    return failLocked(reason, false);
  }

  /**
   * Like {@link #failLocked(MuxException)}; when {@code graceful} (the session closed with NO_ERROR),
   * bytes already received stay readable and frames already queued are still sent, and reads fail
   * with the reason only once the buffered bytes are read.
   */
  boolean failLocked(MuxException reason, boolean graceful) {
    if (state == State.CLOSED) {
      return false;
    }
    state = State.CLOSED;
    failure = reason;
    if (!graceful) {
      outbound.clear();
      inbound.clear();
      buffered = 0;
      unsent = 0;
    }
    sendWindow.close(reason);
    readable.signalAll();
    drained.signalAll();
    opened.completeExceptionally(reason);
    closed.completeExceptionally(reason);
    return true;
  }

  void finishedLocked() {
    state = State.CLOSED;
    closed.complete(null);
  }

  MuxException failure() {
    return failure;
  }

  // ---- readiness callbacks -------------------------------------------------------------------

  /** Runs {@code callback} (on the reader thread, must not block) whenever data or end of stream arrives. */
  public void onReadable(Runnable callback) {
    this.onReadable = callback;
  }

  /**
   * Runs {@code callback} (must not block) when {@link #tryWrite} may take bytes again: on the reader
   * thread when an empty send window reopens, on a worker when a full unsent queue drained.
   */
  public void onWritable(Runnable callback) {
    this.onWritable = callback;
  }

  // ---- stream views --------------------------------------------------------------------------

  /** A blocking InputStream over this channel's bytes; closing it calls {@link #closeInput}. */
  public InputStream inputStream() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return Channel.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return Channel.this.read(b, off, len);
      }

      @Override
      public int available() {
        return Channel.this.available();
      }

      @Override
      public void close() {
        closeInput();
      }
    };
  }

  /** A blocking OutputStream over this channel; closing it half-closes the channel. */
  public OutputStream outputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        Channel.this.write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Channel.this.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        halfClose();
      }
    };
  }

  /** Byte counts for status displays: payload bytes received and sent on this channel. */
  public long bytesIn() {
    lock.lock();
    try {
      return bytesIn;
    } finally {
      lock.unlock();
    }
  }

  public long bytesOut() {
    lock.lock();
    try {
      return bytesOut;
    } finally {
      lock.unlock();
    }
  }

  private void requireFlavour(ChannelFlavour expected) {
    if (flavour != expected) {
      throw new IllegalStateException("channel " + id + " (" + kind + ") carries " + flavour + ", not " + expected);
    }
  }

  @Override
  public String toString() {
    return "Channel[" + id + " " + kind + " " + flavour + "]";
  }
}
