package dev.tether.local.connect;

import dev.tether.adapters.sys.SysService;
import dev.tether.mux.Channel;
import dev.tether.mux.internal.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/** The local side of a {@code sys} channel: an LSP4J proxy for {@link SysService}. */
public final class SysClient {
  private SysClient() {}

  /** Starts listening on {@code channel} and returns the proxy; closing the channel ends it. */
  public static SysService over(Channel channel) {
    Launcher<SysService> launcher = new Launcher.Builder<SysService>()
        .setLocalService(new Object())
        .setRemoteInterface(SysService.class)
        .setInput(LspStreams.input(channel))
        .setOutput(LspStreams.output(channel, 16 * 1024 * 1024))
        .setExecutorService(Workers.shared())
        .create();
    launcher.startListening();
    return launcher.getRemoteProxy();
  }
}
