package dev.tether.local.daemon;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A command's stdin, stdout and stderr, received over the hand-over socket and owned by the daemon
 * from then on. Each is an interruptible {@link FileChannel}, whatever the descriptor is (pipe, socket,
 * terminal, regular file, /dev/null): {@link #close} wakes a thread blocked reading the command's stdin
 * (the remote process ended while the script still holds its stdin open), which a plain stream could not.
 *
 * <p>Threading: the streams may be used from any threads; {@link #close} from any thread, once or more.
 */
public final class HandedStdio implements AutoCloseable {
  private final FileChannel in;
  private final FileChannel out;
  private final FileChannel err;
  private final PrintStream errPrint;
  private final List<Runnable> interrupts = new CopyOnWriteArrayList<>();
  private final List<Runnable> aborts = new CopyOnWriteArrayList<>();

  HandedStdio(FileDescriptor[] fds) {
    // The streams' channels, not the streams: a FileChannel is interruptible and closing it wakes a
    // thread blocked reading (it signals that thread), where closing a FileInputStream leaves it blocked.
    this.in = new FileInputStream(fds[0]).getChannel();
    this.out = new FileOutputStream(fds[1]).getChannel();
    this.err = new FileOutputStream(fds[2]).getChannel();
    this.errPrint = new PrintStream(Channels.newOutputStream(err), true, StandardCharsets.UTF_8);
  }

  public InputStream in() {
    return Channels.newInputStream(in);
  }

  public OutputStream out() {
    return Channels.newOutputStream(out);
  }

  /** The command's stderr, for its one-line messages. */
  public PrintStream err() {
    return errPrint;
  }

  /** {@code action} runs on each Ctrl-C the command's user types (exec turns it into a remote SIGINT). */
  public void onInterrupt(Runnable action) {
    interrupts.add(action);
  }

  /** {@code action} runs if the command goes away (killed) before its job returns. */
  public void onAbort(Runnable action) {
    aborts.add(action);
  }

  void interrupt() {
    interrupts.forEach(Runnable::run);
  }

  void abort() {
    aborts.forEach(Runnable::run);
    close();
  }

  @Override
  public void close() {
    errPrint.flush();
    for (FileChannel channel : List.of(in, out, err)) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the descriptor is released either way
      }
    }
  }

  /** Closes every descriptor received, whether or not it became a channel. */
  static void closeAll(FileDescriptor[] fds, FileChannel[] opened) {
    for (int i = 0; i < fds.length; i++) {
      try {
        if (i < opened.length && opened[i] != null) {
          opened[i].close();
        } else if (fds[i] != null && fds[i].valid()) {
          new java.io.FileInputStream(fds[i]).close();
        }
      } catch (IOException ignored) {
        // released either way
      }
    }
  }
}
