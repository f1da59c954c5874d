package dev.tether.adapters;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import java.io.IOException;

/**
 * Opens a channel of some kind on a host's agent. The local halves of the services (files,
 * terminals, processes, ports) take one of these, so the same client code runs over a session the
 * caller holds ({@code session::open}) or through the per-user daemon ({@code DaemonClient.opener}).
 */
@FunctionalInterface
public interface ChannelOpener {
  /**
   * Opens {@code kind} with JSON {@code metadata}; throws {@link dev.tether.mux.ChannelOpenException}
   * with the agent's reason when refused.
   */
  Channel open(String kind, ChannelFlavour flavour, String metadata) throws IOException;
}
