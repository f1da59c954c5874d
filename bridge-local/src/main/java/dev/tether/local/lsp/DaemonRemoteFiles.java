package dev.tether.local.lsp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.lsp.RemoteFiles;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Host files read through the daemon's session ({@code fs.stat} and {@code fs.read} channels). */
public final class DaemonRemoteFiles implements RemoteFiles {
  private final DaemonClient daemon;
  private final RemoteSpec target;

  public DaemonRemoteFiles(DaemonClient daemon, RemoteSpec target) {
    this.daemon = daemon;
    this.target = target;
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
      return daemon.openRemote(target, kind, ChannelFlavour.BYTES, meta.toString());
    } catch (ChannelOpenException e) {
      if (e.reason().startsWith("FileNotFound")) {
        throw new NoSuchFileException(remotePath, null, e.reason());
      }
      throw e;
    }
  }
}
