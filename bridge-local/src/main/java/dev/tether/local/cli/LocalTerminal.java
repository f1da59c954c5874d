package dev.tether.local.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The user's terminal while {@code tether shell} runs: in raw mode (every key, Ctrl-C included, goes
 * to the remote PTY), reporting window-size changes, and restored on every way out — {@link #close},
 * or a shutdown hook for SIGTERM/SIGHUP and {@code System.exit}. Only SIGKILL can skip the restore.
 */
final class LocalTerminal implements AutoCloseable {
  private final Terminal terminal;
  private final Attributes saved;
  private final AtomicBoolean restored = new AtomicBoolean();
  private final Thread restoreHook;

  private LocalTerminal(Terminal terminal, Attributes saved) {
    this.terminal = terminal;
    this.saved = saved;
    this.restoreHook = new Thread(this::restore, "restore terminal");
  }

  /** True when our stdin is a terminal ({@code test -t 0}, which works with any JVM and platform). */
  static boolean stdinIsTerminal() {
    try {
      Process test = new ProcessBuilder("/bin/sh", "-c", "test -t 0")
          .redirectInput(ProcessBuilder.Redirect.INHERIT)
          .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null")))
          .redirectError(ProcessBuilder.Redirect.to(new File("/dev/null")))
          .start();
      return test.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Opens the system terminal and puts it in raw mode, as ssh does for an interactive session. */
  static LocalTerminal enterRawMode() throws IOException {
    Terminal terminal = TerminalBuilder.builder().system(true).nativeSignals(true).build();
    Attributes saved = terminal.getAttributes();
    LocalTerminal local = new LocalTerminal(terminal, saved);
    Runtime.getRuntime().addShutdownHook(local.restoreHook);
    terminal.setAttributes(raw(saved));
    return local;
  }

  /** cfmakeraw(3): no echo, no line editing, no signals from keys, no output processing; reads return each byte. */
  static Attributes raw(Attributes saved) {
    Attributes raw = new Attributes(saved);
    raw.setInputFlags(EnumSet.of(InputFlag.IGNBRK, InputFlag.BRKINT, InputFlag.PARMRK, InputFlag.ISTRIP,
        InputFlag.INLCR, InputFlag.IGNCR, InputFlag.ICRNL, InputFlag.IXON), false);
    raw.setLocalFlags(EnumSet.of(LocalFlag.ECHO, LocalFlag.ECHONL, LocalFlag.ICANON, LocalFlag.ISIG,
        LocalFlag.IEXTEN), false);
    raw.setOutputFlags(EnumSet.of(OutputFlag.OPOST), false);
    raw.setControlChar(ControlChar.VMIN, 1);
    raw.setControlChar(ControlChar.VTIME, 0);
    return raw;
  }

  /** Columns and rows now; 80x24 when the terminal does not say. */
  int[] size() {
    Size size = terminal.getSize();
    int cols = size.getColumns() > 0 ? size.getColumns() : 80;
    int rows = size.getRows() > 0 ? size.getRows() : 24;
    return new int[] {cols, rows};
  }

  /** Calls {@code listener(cols, rows)} on every SIGWINCH. */
  void onResize(BiConsumer<Integer, Integer> listener) {
    terminal.handle(Terminal.Signal.WINCH, signal -> {
      int[] size = size();
      listener.accept(size[0], size[1]);
    });
  }

  /** The keys the user types, byte for byte. */
  InputStream input() {
    return terminal.input();
  }

  private void restore() {
    if (!restored.compareAndSet(false, true)) {
      return;
    }
    try {
      terminal.setAttributes(saved);
    } catch (RuntimeException e) {
      // Nothing more can be done for a terminal that has gone away.
    }
    try {
      terminal.close();
    } catch (IOException | RuntimeException e) {
      // As above.
    }
  }

  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(restoreHook);
    } catch (IllegalStateException shuttingDown) {
      // Already in the hook's company: it will find the terminal restored.
    }
  }
}
