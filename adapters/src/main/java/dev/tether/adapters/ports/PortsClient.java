package dev.tether.adapters.ports;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.MuxException;
import dev.tether.mux.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/** Local half of the {@code ports} channel: an LSP4J proxy of {@link PortsService} over one message channel. */
public final class PortsClient implements AutoCloseable {
  static final long TIMEOUT_SECONDS = 30;

  private final Channel channel;
  private final PortsService remote;
  private final Future<Void> listening;

  private PortsClient(Channel channel, PortsService remote, Future<Void> listening) {
    this.channel = channel;
    this.remote = remote;
    this.listening = listening;
  }

  static PortsClient open(ChannelOpener opener) throws IOException {
    Channel channel = opener.open(ChannelKinds.PORTS, ChannelFlavour.MESSAGES, "");
    Launcher<PortsService> launcher = new Launcher.Builder<PortsService>()
        .setLocalService(new Object())
        .setRemoteInterface(PortsService.class)
        .setInput(LspStreams.input(channel))
        .setOutput(LspStreams.output(channel, 16 * 1024 * 1024))
        .setExecutorService(Workers.shared())
        .create();
    Future<Void> listening = launcher.startListening();
    return new PortsClient(channel, launcher.getRemoteProxy(), listening);
  }

  /** The proxy itself, for callers who want the futures. */
  public PortsService service() {
    return remote;
  }

  /** {@code ports/list}, waiting up to 30 s. */
  public PortList list() throws IOException {
    try {
      return remote.list().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof MuxException mux) {
        throw mux;
      }
      throw new IOException("ports/list failed on the host: " + (cause == null ? e : cause).getMessage(), cause);
    } catch (TimeoutException e) {
      throw new IOException("ports/list got no answer from the host within " + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while listing ports");
    }
  }

  @Override
  public void close() {
    channel.close();
    try {
      // Let LSP4J's reader see the end of the stream before the caller closes the session under it
      // (else it logs the closed session as a SEVERE error with a stack trace on the user's terminal).
      listening.get(2, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // ended some other way: nothing more to wait for
    }
  }
}
