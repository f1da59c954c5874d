package dev.tether.adapters.sys;

import dev.tether.adapters.JsonRpcClients;
import dev.tether.mux.Channel;

/** The local side of a {@code sys} channel: an LSP4J proxy for {@link SysService}. */
public final class SysClient {
  private SysClient() {}

  /** Starts listening on {@code channel} and returns the proxy; closing the channel ends it. */
  public static SysService over(Channel channel) {
    return JsonRpcClients.connect(channel, SysService.class).remote();
  }
}
