package dev.tether.adapters.lsp;

import java.io.IOException;

/**
 * Read access to the remote host's file system, as much as {@link MaterializedCache} needs to copy a
 * host-only file (a system header, a site-packages module) to the editor's machine.
 *
 * <p>Implementations go through the session's file service and block the calling thread for a round
 * trip; {@link LspRewriter} calls them on its server-to-client thread only.
 */
public interface RemoteFiles {

  /**
   * Size and modification time of a remote file; together they decide whether a cached copy is
   * still current.
   */
  record Stamp(long size, long modifiedMillis) {}

  /**
   * Stats a regular file.
   *
   * @throws java.nio.file.NoSuchFileException if it does not exist
   * @throws IOException if it is not a regular file or the host cannot be reached
   */
  Stamp stat(String remotePath) throws IOException;

  /** Reads a whole regular file. */
  byte[] read(String remotePath) throws IOException;
}
