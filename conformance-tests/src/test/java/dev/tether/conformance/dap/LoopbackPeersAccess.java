package dev.tether.conformance.dap;

import dev.tether.local.dap.LoopbackPeers;
import java.io.IOException;
import java.io.UncheckedIOException;

/** This test process's uid, as {@code tether dap --listen} reads its own. */
final class LoopbackPeersAccess {
  private LoopbackPeersAccess() {}

  static int ownUid() {
    try {
      return LoopbackPeers.ownUid();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
