package dev.tether.local.cli;

import dev.tether.adapters.ext.ExtensionClient.Extension;
import dev.tether.adapters.ext.Framing;
import dev.tether.mux.MuxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@code tether ext}'s data path: the client's framed messages from stdin to the extension, the
 * extension's to stdout, both in the extension's own framing. The end of stdin ends the extension's
 * input; the extension's end (or failure) ends the command.
 *
 * <p>Threading: {@link #serve} copies to stdout on the calling thread and from stdin on a daemon thread.
 */
final class ExtensionStdio {
  /** As {@code tether lsp}: a message larger than this from the client is refused. */
  static final int MAX_MESSAGE = 64 * 1024 * 1024;

  private final Extension extension;
  private final PrintStream stderr;

  ExtensionStdio(Extension extension, PrintStream stderr) {
    this.extension = extension;
    this.stderr = stderr;
  }

  /** Returns the exit status: 0 when the extension ended normally, 1 when it failed or stdin was not framed. */
  int serve(InputStream in, OutputStream out) {
    Framing framing = extension.framing();
    Thread input = new Thread(() -> clientToExtension(framing.reader(in, MAX_MESSAGE)), "ext stdin");
    input.setDaemon(true);
    input.start();
    try {
      byte[] message;
      while ((message = extension.receive()) != null) {
        framing.write(out, message);
      }
      return 0;
    } catch (MuxException e) {
      stderr.println("tether: " + e.reason());
      return 1;
    } catch (IOException e) {
      return 0; // stdout's reader went away: nobody is left to answer
    }
  }

  private void clientToExtension(Framing.Reader reader) {
    try {
      byte[] message;
      while ((message = reader.read()) != null) {
        extension.send(message);
      }
      extension.endInput();
    } catch (MuxException | java.nio.channels.ClosedChannelException e) {
      // the extension's side ended: the other direction reports it
    } catch (IOException e) {
      // One line on stderr, from the other direction, which reads this reason.
      extension.channel().reset(dev.tether.mux.ErrorCode.PROTOCOL_ERROR, "stdin is not " + extension.framing().wireName() + "-framed JSON-RPC: " + e.getMessage());
    }
  }
}
