package dev.tether.conformance.cli;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.conformance.lsp.Processes;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code tether-remote test-peer lsp|dap} behind a relay that does what a careless bridge does: for
 * LSP it parses and re-serializes every message (compact, {@code null} members dropped), so bytes
 * change; for DAP it drops the {@code source} of the adapter's stack frames.
 */
public final class MangledPeer {
  private static final Gson GSON = new Gson();
  private static final int MAX = 64 * 1024 * 1024;

  /** Its argv, as JSON, for a catalog entry. */
  static String command(String protocol) {
    return GSON.toJson(List.of(Processes.java(), "-cp", System.getProperty("java.class.path"), MangledPeer.class.getName(),
        protocol));
  }

  public static void main(String[] args) throws Exception {
    String protocol = args[0];
    Process peer = new ProcessBuilder(Processes.java(), "-cp", System.getProperty("java.class.path"),
        "dev.tether.remote.TetherRemote", "test-peer", protocol)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    UnaryOperator<byte[]> toServer = protocol.equals("lsp") ? MangledPeer::reserialize : UnaryOperator.identity();
    UnaryOperator<byte[]> toClient = protocol.equals("lsp") ? MangledPeer::reserialize : MangledPeer::dropFrameSources;
    Thread up = new Thread(() -> relay(new FileInputStream(FileDescriptor.in), peer.getOutputStream(), toServer), "up");
    up.setDaemon(true);
    up.start();
    relay(peer.getInputStream(), new FileOutputStream(FileDescriptor.out), toClient);
    System.exit(peer.waitFor());
  }

  private static void relay(InputStream from, OutputStream to, UnaryOperator<byte[]> mangle) {
    BaseProtocol.Reader reader = new BaseProtocol.Reader(from, MAX);
    try (to) {
      byte[] message;
      while ((message = reader.read()) != null) {
        BaseProtocol.write(to, mangle.apply(message));
      }
    } catch (IOException e) {
      // one side is gone: so is the relay
    }
  }

  private static byte[] reserialize(byte[] body) {
    return GSON.toJson(JsonParser.parseString(new String(body, StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] dropFrameSources(byte[] body) {
    JsonObject message = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    JsonElement frames = message.has("body") && message.get("body").isJsonObject()
        ? message.getAsJsonObject("body").get("stackFrames") : null;
    if (frames == null || !frames.isJsonArray()) {
      return body;
    }
    for (JsonElement frame : (JsonArray) frames) {
      frame.getAsJsonObject().remove("source");
    }
    return GSON.toJson(message).getBytes(StandardCharsets.UTF_8);
  }
}
