package dev.tether.adapters.ext;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.JsonRpcClients;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The local half of workspace extensions, for the CLI and custom clients: {@link #open} starts one
 * on the host by the name its workspace declares, {@link #run} by argv, {@link #list} lists them.
 * An open that fails throws {@link dev.tether.mux.ChannelOpenException} with the agent's reason
 * (e.g. which manifest field is wrong).
 */
public final class ExtensionClient {
  private ExtensionClient() {}

  /**
   * Starts the extension {@code name} that {@code workspace} (an absolute directory on the host)
   * declares in its {@code .tether/extensions.json}.
   */
  public static Extension open(ChannelOpener opener, String workspace, String name) throws IOException {
    JsonObject metadata = new JsonObject();
    metadata.addProperty("workspace", workspace);
    metadata.addProperty("name", name);
    return new Extension(opener.open(ChannelKinds.EXT, ChannelFlavour.MESSAGES, metadata.toString()));
  }

  /** Starts {@code argv} (no shell) in {@code cwd} (null: the agent's) with {@code env} added (null: none). */
  public static Extension run(ChannelOpener opener, List<String> argv, String cwd, Map<String, String> env, Framing framing)
      throws IOException {
    JsonObject metadata = new JsonObject();
    JsonArray command = new JsonArray();
    argv.forEach(command::add);
    metadata.add("command", command);
    if (cwd != null) {
      metadata.addProperty("cwd", cwd);
    }
    if (env != null && !env.isEmpty()) {
      JsonObject variables = new JsonObject();
      env.forEach(variables::addProperty);
      metadata.add("env", variables);
    }
    metadata.addProperty("framing", framing.wireName());
    return new Extension(opener.open(ChannelKinds.EXT, ChannelFlavour.MESSAGES, metadata.toString()));
  }

  /** What {@code workspace} declares; starts nothing. Throws with the reason for an unusable manifest. */
  public static ExtensionList list(ChannelOpener opener, String workspace) throws IOException {
    Channel channel = opener.open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
    try {
      JsonRpcClients.Connection<ExtensionService> rpc = JsonRpcClients.connect(channel, ExtensionService.class);
      return rpc.await(rpc.remote().list(new ExtensionList.Params(workspace)), "ext/list");
    } finally {
      channel.close();
    }
  }

  /**
   * One running extension: whole JSON-RPC messages both ways, whatever its framing on the host.
   * Closing it ends the program's process group on the host (after {@code 3 s} to exit by itself).
   * Reading and writing may happen on two threads.
   */
  public static final class Extension implements AutoCloseable {
    private final Channel channel;
    private final JsonObject info;

    Extension(Channel channel) {
      this.channel = channel;
      this.info = JsonParser.parseString(channel.acceptMetadata()).getAsJsonObject();
    }

    /** The name it was opened by (for an argv: the program's file name). */
    public String name() {
      return info.get("name").getAsString();
    }

    /** Its pid on the host (the leader of its process group). */
    public long pid() {
      return info.get("pid").getAsLong();
    }

    /** How it frames messages on its stdio (what {@code tether ext} speaks on its own). */
    public Framing framing() {
      return Framing.named(info.get("framing").getAsString());
    }

    public Channel channel() {
      return channel;
    }

    /** Sends one JSON-RPC message (its UTF-8 body). */
    public void send(byte[] message) throws IOException {
      channel.writeMessage(message);
    }

    /**
     * The next message from the extension, or null when it exited normally; throws
     * {@link dev.tether.mux.MuxException} with the reason when it failed (e.g. its exit status and
     * last stderr line).
     */
    public byte[] receive() throws IOException {
      return channel.readMessage();
    }

    /** Closes its stdin; it may still answer what it was sent, then exits. */
    public void endInput() throws IOException {
      channel.halfClose();
    }

    @Override
    public void close() {
      channel.close();
    }
  }
}
