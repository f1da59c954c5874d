package dev.tether.local.lsp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.lsp.RemoteFiles;
import dev.tether.adapters.ChannelOpener;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Host files read through the host's session ({@code fs.stat} and {@code fs.read} channels). */
public final class DaemonRemoteFiles implements RemoteFiles {
  private final ChannelOpener host;

  public DaemonRemoteFiles(ChannelOpener host) {
    this.host = host;
  }

  @Override
  public Stamp stat(String remotePath) throws IOException {
    Channel channel = open(ChannelKinds.FS_STAT, remotePath);
    JsonObject meta = JsonParser.parseString(channel.acceptMetadata()).getAsJsonObject();
    channel.close();
    return new Stamp(meta.get("size").getAsLong(), meta.get("modifiedMillis").getAsLong());
  }

  @Override
  public byte[] read(String remotePath, long maxBytes) throws IOException {
    Channel channel = open(ChannelKinds.FS_READ, remotePath);
    try {
      return RemoteFiles.readAtMost(channel.inputStream(), maxBytes, remotePath);
    } finally {
      channel.close();
    }
  }

  private Channel open(String kind, String remotePath) throws IOException {
    JsonObject meta = new JsonObject();
    meta.addProperty("path", remotePath);
    try {
      return host.open(kind, ChannelFlavour.BYTES, meta.toString());
    } catch (ChannelOpenException e) {
      if (e.reason().startsWith("FileNotFound")) {
        throw new NoSuchFileException(remotePath, null, e.reason());
      }
      throw e;
    }
  }
}
