package dev.tether.local.cli;

import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.ws.WsConnector;
import java.io.IOException;
import java.nio.file.Path;

/** Where the CLI finds the token of a ws/wss destination: TETHER_TOKEN, --token-file, ~/.tether/token. */
final class WsCredentials {
  private WsCredentials() {}

  /**
   * Puts the token in {@code spec} (null when none is given and ~/.tether/token does not exist: the
   * server's 401 then says how). A file that cannot be read is reported when connecting, not here: in
   * the daemon (a handed-over command) an existing session needs no token.
   */
  static void fill(RemoteSpec spec, String tokenFile) {
    String home = System.getenv("HOME");
    try {
      spec.token = WsConnector.token(System.getenv("TETHER_TOKEN"), tokenFile == null ? null : Path.of(tokenFile).toAbsolutePath(),
          Path.of(home != null && home.startsWith("/") ? home : System.getProperty("user.home")));
    } catch (IOException e) {
      spec.tokenProblem = e.getMessage();
    }
  }
}
