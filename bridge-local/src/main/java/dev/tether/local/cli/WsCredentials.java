package dev.tether.local.cli;

import dev.tether.local.ws.WsConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Where the CLI finds the token of a ws/wss destination: TETHER_TOKEN, --token-file, ~/.tether/token. */
final class WsCredentials {
  private WsCredentials() {}

  /** The token, or null when none is given and ~/.tether/token does not exist (the server's 401 then says how). */
  static String token(String tokenFile) {
    try {
      String home = System.getenv("HOME");
      return WsConnector.token(System.getenv("TETHER_TOKEN"), tokenFile == null ? null : Path.of(tokenFile).toAbsolutePath(),
          Path.of(home != null && home.startsWith("/") ? home : System.getProperty("user.home")));
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }
}
