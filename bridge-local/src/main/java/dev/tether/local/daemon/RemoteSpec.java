package dev.tether.local.daemon;

import java.util.ArrayList;
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

  /** The sharing key: everything that changes where or how we connect. */
  public String key() {
    return destination + " " + String.join(" ", sshArgs) + (via == null ? "" : " via " + via)
        + (fingerprint == null ? "" : " pin " + fingerprint);
  }

  @Override
  public String toString() {
    return via == null ? destination : destination + " (via " + via + ")";
  }
}
