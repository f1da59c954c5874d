package dev.tether.adapters.catalog;

import java.util.List;

/**
 * A debug adapter Tether knows how to start on the remote host.
 *
 * @param name      what {@code tether dap --adapter NAME} calls it
 * @param command   the argv run on the remote host
 * @param languages LSP language ids of the programs it debugs
 */
public record DebugAdapter(String name, List<String> command, List<String> languages) {

  public DebugAdapter {
    command = List.copyOf(command);
    languages = List.copyOf(languages);
  }
}
