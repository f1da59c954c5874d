package dev.tether.local.daemon;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The session between a {@code tether} command and the local daemon runs over a Unix socket and uses
 * these channel kinds (docs/SERVICES.md):
 * <ul>
 *   <li>{@code remote} (CLI to daemon, either flavour): metadata {@link RemoteOpen}; the daemon opens the
 *       named channel on the host's session and splices the two, so bytes pass through unchanged.</li>
 *   <li>{@code control} (CLI to daemon, messages): one JSON request per message ({@code status},
 *       {@code stop}), one JSON answer.</li>
 *   <li>{@code ui} (daemon to CLI, messages): progress lines and prompts for the user while the daemon
 *       connects on that command's behalf; the CLI shows them on its terminal or asks SSH_ASKPASS.</li>
 * </ul>
 */
public final class DaemonProtocol {
  public static final String REMOTE = "remote";
  public static final String CONTROL = "control";
  public static final String UI = "ui";
  static final Gson GSON = new Gson();

  private DaemonProtocol() {}

  /** Metadata of a {@code remote} OPEN. */
  public static final class RemoteOpen {
    public RemoteSpec target;
    public String kind;
    public String metadata;
  }

  public static byte[] json(Object value) {
    return GSON.toJson(value).getBytes(StandardCharsets.UTF_8);
  }

  public static JsonObject parse(byte[] message) {
    return GSON.fromJson(new String(message, StandardCharsets.UTF_8), JsonObject.class);
  }

  public static <T> T parse(String json, Class<T> type) {
    return GSON.fromJson(json, type);
  }
}
