package dev.tether.local.daemon;

import dev.tether.local.ws.WsDestination;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * How to reach a host, as the CLI asks the daemon for it: the DESTINATION, the ssh-style options in
 * command-line form, and an optional {@code --via} command. Two requests with equal specs share one
 * session (and one SSH connection).
 */
public final class RemoteSpec {
  public String destination;
  public List<String> sshArgs = new ArrayList<>();
  public String via;
  /** ws/wss destinations: the token (from TETHER_TOKEN or --token-file) and the certificate pin; never logged. */
  public String token;
  public String fingerprint;
  /** Why the token could not be read, reported when a connection needs it. */
  public String tokenProblem;

  public RemoteSpec() {}

  public RemoteSpec(String destination, List<String> sshArgs, String via) {
    this.destination = destination;
    this.sshArgs = new ArrayList<>(sshArgs);
    this.via = via;
  }

  /**
   * The sharing key: everything that changes where or how we connect. For ws/wss that includes which
   * token: a command with a wrong token must get the server's 401, not ride on a session another
   * command opened with the right one. The key names the token by a hash only, as it reaches logs,
   * {@code tether status} and the daemon's session records on disk.
   */
  public String key() {
    return destination + " " + String.join(" ", sshArgs) + (via == null ? "" : " via " + via)
        + (fingerprint == null ? "" : " pin " + fingerprint) + (WsDestination.is(destination) ? " " + tokenIdentity() : "");
  }

  /** {@code token sha256:} and the first 16 hex digits of the token's SHA-256, or {@code no token}. */
  private String tokenIdentity() {
    if (token == null) {
      return "no token";
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return "token sha256:" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return via == null ? destination : destination + " (via " + via + ")";
  }
}
