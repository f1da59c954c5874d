package dev.tether.adapters.lsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

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

  /**
   * Reads a whole regular file of at most {@code maxBytes} bytes. The host is not trusted to send
   * what its stat said: more than {@code maxBytes} is refused with an {@link IOException} as soon as
   * the extra byte arrives, and nothing beyond that is read or kept.
   */
  byte[] read(String remotePath, long maxBytes) throws IOException;

  /**
   * Reads at most {@code maxBytes} from {@code in}, in chunks, so that no buffer is sized by what the
   * host declared; throws if {@code in} has more.
   */
  static byte[] readAtMost(InputStream in, long maxBytes, String remotePath) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(chunk, 0, (int) Math.min(chunk.length, maxBytes - total + 1))) > 0) {
      total += n;
      if (total > maxBytes) {
        throw new IOException(remotePath + " sent more than the " + maxBytes + " bytes it announced"
            + " (not a regular file, or it changed)");
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }
}
