package dev.tether.adapters;

import dev.tether.mux.Channel;
import dev.tether.mux.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/** The remote halves of JSON-RPC services: serving an LSP4J-annotated object on a message channel. */
public final class JsonRpcServices {
  /** The agent calls nothing on the local side; LSP4J needs a remote interface all the same. */
  interface NoCalls {}

  private JsonRpcServices() {}

  /**
   * Answers the requests arriving on {@code channel} with {@code service}'s {@code @JsonRequest}
   * methods, on the shared workers; when the opener ends its side, the channel is closed here too.
   */
  public static void serve(Channel channel, Object service) {
    new Launcher.Builder<NoCalls>()
        .setLocalService(service)
        .setRemoteInterface(NoCalls.class)
        .setInput(JsonRpcClients.endNotifying(LspStreams.input(channel), channel::close))
        .setOutput(LspStreams.output(channel, 16 * 1024 * 1024))
        .setExecutorService(Workers.shared())
        .create()
        .startListening();
  }
}
