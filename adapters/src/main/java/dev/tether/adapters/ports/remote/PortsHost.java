package dev.tether.adapters.ports.remote;

import dev.tether.adapters.JsonRpcServices;
import dev.tether.adapters.ports.PortList;
import dev.tether.adapters.ports.PortsService;
import dev.tether.mux.Channel;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Workers;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Remote half of {@code ports}: answers {@code ports/list} from /proc. */
public final class PortsHost implements PortsService {
  private final ProcNet procNet;

  public PortsHost(ProcNet procNet) {
    this.procNet = procNet;
  }

  public void open(OpenRequest request) throws IOException {
    Channel channel = request.accept();
    JsonRpcServices.serve(channel, this);
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
