package dev.tether.adapters.terminal.remote;

import com.pty4j.PtyProcess;
import com.pty4j.WinSize;
import dev.tether.adapters.terminal.TerminalService.TerminalInfo;
import dev.tether.mux.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process in a PTY on the host, with its scrollback and its current attachments.
 *
 * <p>Threading: one reader thread copies the PTY's output into the scrollback and to every attachment;
 * one thread per attachment copies that client's input into the PTY. {@code lock} guards the
 * scrollback and the attachment list and is never held while writing to a channel. Each attachment's
 * own write lock orders its writes, so a new attachment gets its replay before any live byte.
 */
final class PtyTerminal {
  private static final Logger LOG = LoggerFactory.getLogger(PtyTerminal.class);
  static final int SCROLLBACK_BYTES = 64 * 1024;

  private final String id;
  private final PtyProcess process;
  /** pty4j's child calls setsid: the shell leads a session, which holds every job it starts. */
  private final dev.tether.adapters.process.ProcessGroup group;
  private final List<String> command;
  private final Object lock = new Object();
  private final Scrollback scrollback = new Scrollback(SCROLLBACK_BYTES);
  private final List<Attachment> attachments = new ArrayList<>(); // guarded by lock
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private volatile int cols;
  private volatile int rows;

  PtyTerminal(String id, PtyProcess process, List<String> command, int cols, int rows) {
    this.id = id;
    this.process = process;
    this.group = dev.tether.adapters.process.ProcessGroup.started(process);
    this.command = command;
    this.cols = cols;
    this.rows = rows;
  }

  String id() {
    return id;
  }

  long pid() {
    return process.pid();
  }

  /** Completes with the exit status once the last output went to every attachment. */
  CompletableFuture<Integer> exit() {
    return exit;
  }

  void start() {
    Thread reader = new Thread(this::pumpOutput, "terminal " + id + " output");
    reader.setDaemon(true);
    reader.start();
  }

  TerminalInfo info() {
    TerminalInfo info = new TerminalInfo();
    info.id = id;
    info.pid = process.pid();
    info.command = command;
    info.cols = cols;
    info.rows = rows;
    info.alive = !exit.isDone();
    info.exitCode = exit.isDone() ? exit.join() : null;
    synchronized (lock) {
      info.attachments = attachments.size();
    }
    return info;
  }

  void resize(int newCols, int newRows) {
    if (newCols <= 0 || newRows <= 0 || newCols > 10_000 || newRows > 10_000) {
      throw new IllegalArgumentException("bad terminal size " + newCols + "x" + newRows + " (columns x rows, each 1..10000)");
    }
    cols = newCols;
    rows = newRows;
    if (process.isAlive()) {
      process.setWinSize(new WinSize(newCols, newRows));
    }
  }

  /**
   * Adds a client: it gets the scrollback, then live output; its bytes go to the PTY. When the
   * process already exited, it gets the scrollback and the end of stream.
   */
  void attach(Channel channel) {
    Attachment attachment = new Attachment(channel);
    boolean ended;
    synchronized (attachment.writeLock) {
      byte[] replay;
      synchronized (lock) {
        replay = scrollback.snapshot();
        ended = exit.isDone();
        if (!ended) {
          attachments.add(attachment);
        }
      }
      try {
        channel.write(replay, 0, replay.length);
        if (ended) {
          channel.halfClose();
        }
      } catch (IOException e) {
        detach(attachment);
        return;
      }
    }
    if (!ended) {
      Thread input = new Thread(() -> pumpInput(attachment), "terminal " + id + " input " + channel.id());
      input.setDaemon(true);
      input.start();
    }
  }

  private void pumpInput(Attachment attachment) {
    Channel channel = attachment.channel;
    byte[] buffer = new byte[8192];
    OutputStream pty = process.getOutputStream();
    try {
      int n;
      while ((n = channel.read(buffer, 0, buffer.length)) >= 0) {
        pty.write(buffer, 0, n);
        pty.flush();
      }
    } catch (IOException e) {
      LOG.debug("terminal {}: attachment {} input ended: {}", id, channel.id(), e.getMessage());
    }
    // The client detached (or the process ended); the terminal lives on for the next attachment.
    detach(attachment);
  }

  private void detach(Attachment attachment) {
    synchronized (lock) {
      attachments.remove(attachment);
    }
    attachment.channel.close();
  }

  private void pumpOutput() {
    byte[] buffer = new byte[16 * 1024];
    InputStream pty = process.getInputStream();
    try {
      int n;
      while ((n = pty.read(buffer)) >= 0) {
        if (n > 0) {
          broadcast(buffer, n);
        }
      }
    } catch (IOException e) {
      // Linux reports EIO on the master once the last slave closes: the normal end.
      LOG.debug("terminal {}: output ended: {}", id, e.getMessage());
    }
    int status = awaitStatus();
    List<Attachment> last;
    synchronized (lock) {
      last = List.copyOf(attachments);
      attachments.clear();
    }
    for (Attachment attachment : last) {
      synchronized (attachment.writeLock) {
        try {
          attachment.channel.halfClose();
        } catch (IOException e) {
          attachment.channel.close();
        }
      }
    }
    exit.complete(status);
  }

  private void broadcast(byte[] buffer, int n) {
    List<Attachment> targets;
    synchronized (lock) {
      scrollback.append(buffer, 0, n);
      targets = List.copyOf(attachments);
    }
    for (Attachment attachment : targets) {
      synchronized (attachment.writeLock) {
        try {
          attachment.channel.write(buffer, 0, n);
        } catch (IOException e) {
          detach(attachment);
        }
      }
    }
  }

  private int awaitStatus() {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 128 + 9;
    }
  }

  /**
   * Ends the terminal: SIGHUP to the shell's group, as when a terminal window closes, then its whole
   * session (jobs in other process groups and double-forked children too), even if the shell exited.
   */
  void end() {
    if (process.isAlive()) {
      try {
        dev.tether.adapters.process.Signals.toGroup(process.pid(), "HUP");
      } catch (IOException e) {
        LOG.debug("terminal {}: SIGHUP failed: {}", id, e.getMessage());
      }
    }
    group.end(java.time.Duration.ofSeconds(2));
  }

  /** One client's view: its channel and the lock that keeps replay and live output in order. */
  private static final class Attachment {
    final Channel channel;
    final Object writeLock = new Object();

    Attachment(Channel channel) {
      this.channel = channel;
    }
  }
}
