package dev.tether.adapters.ports.remote;

import dev.tether.adapters.ports.PortList;
import dev.tether.adapters.ports.PortsService;
import dev.tether.mux.Channel;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.internal.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/** Remote half of {@code ports}: answers {@code ports/list} from /proc. */
public final class PortsHost implements PortsService {
  /** LSP4J needs a remote interface; the agent calls nothing on the local side. */
  interface NoCalls {}

  private final ProcNet procNet;

  public PortsHost(ProcNet procNet) {
    this.procNet = procNet;
  }

  public void open(OpenRequest request) throws IOException {
    Channel channel = request.accept();
    Launcher<NoCalls> launcher = new Launcher.Builder<NoCalls>()
        .setLocalService(this)
        .setRemoteInterface(NoCalls.class)
        .setInput(LspStreams.input(channel))
        .setOutput(LspStreams.output(channel, 16 * 1024 * 1024))
        .setExecutorService(Workers.shared())
        .create();
    launcher.startListening();
  }

  @Override
  public CompletableFuture<PortList> list() {
    return CompletableFuture.supplyAsync(() -> {
      PortList list = new PortList();
      list.agentPid = ProcessHandle.current().pid();
      try {
        list.sockets = procNet.listening();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot read /proc/net/tcp: " + e.getMessage(), e);
      }
      return list;
    }, Workers.shared());
  }
}
