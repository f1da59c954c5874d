package dev.tether.local.dap;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.terminal.TerminalClient;
import dev.tether.adapters.terminal.TerminalService.CreateParams;
import dev.tether.adapters.terminal.TerminalService.TerminalInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Serves the adapter's {@code runInTerminal} on the host: the command runs in a Tether terminal (so
 * {@code tether shell --list} shows it and {@code tether shell --attach ID} reaches it), never on the
 * client's machine, and the adapter is answered with its process id. The request's {@code cwd} and
 * {@code args} are the adapter's own host paths, used as they came.
 *
 * <p>Threading: called from the adapter-to-client thread; {@link #endRunning} when the client is done.
 */
final class HostTerminals {
  private final ChannelOpener opener;
  private final List<String> started = new CopyOnWriteArrayList<>();

  HostTerminals(ChannelOpener opener) {
    this.opener = opener;
  }

  /** The answer to one runInTerminal: a response body, or the reason it failed. */
  record Answer(JsonObject body, String error) {}

  /** Runs the request's command on the host; returns what to answer the adapter. */
  Answer runInTerminal(JsonObject request) {
    JsonObject arguments = request.has("arguments") && request.get("arguments").isJsonObject()
        ? request.getAsJsonObject("arguments") : new JsonObject();
    CreateParams params = new CreateParams();
    params.argv = strings(arguments, "args");
    if (params.argv.isEmpty()) {
      return new Answer(null, "runInTerminal without args");
    }
    String cwd = arguments.has("cwd") && arguments.get("cwd").isJsonPrimitive() ? arguments.get("cwd").getAsString() : "";
    params.cwd = cwd.isEmpty() ? null : cwd;
    params.env = environment(arguments.get("env"));
    params.term = "xterm-256color";
    try (TerminalClient terminals = TerminalClient.open(opener)) {
      TerminalInfo info = terminals.create(params);
      started.add(info.id);
      JsonObject body = new JsonObject();
      body.addProperty("processId", info.pid);
      body.addProperty("shellProcessId", info.pid);
      return new Answer(body, null);
    } catch (IOException e) {
      return new Answer(null, "tether: cannot run the debuggee in a terminal on the host: " + e.getMessage());
    }
  }

  /** The client is done: terminals this session started and that still run are hung up. */
  void endRunning() {
    if (started.isEmpty()) {
      return;
    }
    try (TerminalClient terminals = TerminalClient.open(opener)) {
      for (TerminalInfo info : terminals.list()) {
        if (started.contains(info.id) && info.alive) {
          terminals.kill(info.id, "HUP");
        }
      }
    } catch (IOException e) {
      // the session is gone: the agent ends its terminals with it
    }
  }

  private static List<String> strings(JsonObject object, String member) {
    List<String> out = new ArrayList<>();
    JsonElement value = object.get(member);
    if (value != null && value.isJsonArray()) {
      value.getAsJsonArray().forEach(e -> out.add(e.isJsonPrimitive() ? e.getAsString() : e.toString()));
    }
    return out;
  }

  /** DAP's env: string values set, null values unset (the terminal service can only set: dropped). */
  private static Map<String, String> environment(JsonElement env) {
    Map<String, String> out = new LinkedHashMap<>();
    if (env != null && env.isJsonObject()) {
      env.getAsJsonObject().entrySet().stream()
          .filter(e -> e.getValue().isJsonPrimitive())
          .forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
    }
    return out;
  }
}
