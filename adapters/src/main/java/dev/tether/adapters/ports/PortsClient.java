package dev.tether.adapters.ports;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.MuxException;
import dev.tether.mux.internal.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/** Local half of the {@code ports} channel: an LSP4J proxy of {@link PortsService} over one message channel. */
public final class PortsClient implements AutoCloseable {
  static final long TIMEOUT_SECONDS = 30;

  private final Channel channel;
  private final PortsService remote;

  private PortsClient(Channel channel, PortsService remote) {
    this.channel = channel;
    this.remote = remote;
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
    launcher.startListening();
    return new PortsClient(channel, launcher.getRemoteProxy());
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
  }
}
