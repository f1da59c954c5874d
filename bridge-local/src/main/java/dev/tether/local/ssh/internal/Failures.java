package dev.tether.local.ssh.internal;

import dev.tether.local.ssh.SshFailure;
import dev.tether.local.ssh.SshFailure.Kind;
import dev.tether.local.ssh.SshTarget;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * The one place that turns what went wrong while connecting a hop into a one-line {@link SshFailure}.
 * Records on the {@link HopAttempt} win over exception text: they know which host key, which file,
 * which passphrase. Pure functions; thread-safe.
 */
public final class Failures {
  private Failures() {
  }

  /** TCP connect failed (refused, unreachable, DNS). */
  public static SshFailure connectFailed(HopAttempt attempt, Throwable error) {
    SshTarget hop = attempt.hop();
    Throwable root = rootCause(error);
    if (root instanceof SshFailure f) {
      return f;
    }
    if (root instanceof UnknownHostException) {
      return new SshFailure(Kind.UNREACHABLE, "cannot resolve host name '" + hop.hostName() + "'"
          + aliasNote(hop) + ": check the host name, or your ssh_config", error);
    }
    if (root instanceof SocketTimeoutException) {
      return timedOut(hop, hop.connectTimeout(), "connecting");
    }
    String reason = root instanceof ConnectException ? "connection refused"
        : root instanceof NoRouteToHostException ? "no route to host" : describe(root);
    return new SshFailure(Kind.UNREACHABLE, "cannot connect to " + hop.address() + aliasNote(hop) + ": " + reason
        + "; check the host and port (is an SSH server listening there?)", error);
  }

  /** The session closed or failed before authentication started. */
  public static SshFailure handshakeFailed(HopAttempt attempt, Throwable error) {
    if (attempt.hostKeyFailure() != null) {
      return attempt.hostKeyFailure();
    }
    SshTarget hop = attempt.hop();
    if (attempt.via() != null && !attempt.isHostKeyAccepted() && error == null) {
      return new SshFailure(Kind.UNREACHABLE, "cannot reach " + hop.address() + " through jump host "
          + attempt.via().address() + ": the jump host could not connect there; check the target host and"
          + " port as seen from the jump host");
    }
    String detail = error == null ? "the server closed the connection" : describe(rootCause(error));
    return new SshFailure(Kind.DISCONNECTED, "SSH handshake with " + hop.address() + " failed: " + detail, error);
  }

  /** Authentication ended without success. */
  public static SshFailure authFailed(HopAttempt attempt, Throwable error) {
    if (attempt.hostKeyFailure() != null) {
      return attempt.hostKeyFailure();
    }
    if (!attempt.isHostKeyAccepted()) {
      return handshakeFailed(attempt, error);
    }
    SshTarget hop = attempt.hop();
    SshFailure keyFailure = attempt.keyFailure();
    String who = "authentication as " + hop.display() + " failed";
    if (keyFailure != null) {
      return new SshFailure(keyFailure.kind(), keyFailure.getMessage() + "; " + who, keyFailure);
    }
    String accepts = attempt.serverMethods().isEmpty() ? ""
        : "; the server accepts " + String.join(",", attempt.serverMethods());
    String disabled = attempt.changedHostKeyWarning() == null ? ""
        : "; password and keyboard-interactive authentication were disabled because the host key has changed"
            + " (accepted only because StrictHostKeyChecking=no)";
    return new SshFailure(Kind.AUTH_FAILED, "permission denied: " + who + accepts + "; " + tried(attempt) + disabled
        + "; check the user name and that your public key is in ~/.ssh/authorized_keys on the server", error);
  }

  public static SshFailure timedOut(SshTarget hop, Duration limit, String phase) {
    return new SshFailure(Kind.TIMEOUT, "timed out after " + limit.toSeconds() + " s " + phase + " " + hop.address()
        + aliasNote(hop) + "; check the host and port, or raise -o ConnectTimeout=SECONDS");
  }

  private static String tried(HopAttempt attempt) {
    SshTarget hop = attempt.hop();
    List<String> offered = attempt.offeredKeys();
    List<String> skipped = attempt.skippedKeys();
    StringBuilder sb = new StringBuilder("tried publickey with ");
    sb.append(offered.isEmpty() ? "no usable key" : "key files " + String.join(", ", offered));
    if (!skipped.isEmpty()) {
      sb.append(", skipped ").append(String.join(", ", skipped));
    }
    if (offered.isEmpty() && skipped.isEmpty() && hop.defaultIdentities()) {
      sb.append(" (none of the default keys id_ed25519, id_ecdsa, id_rsa exists in ~/.ssh; give one with -i)");
    }
    if (attempt.wasPrompted()) {
      sb.append("; password/keyboard-interactive answers were refused");
    } else if (hop.batchMode()) {
      sb.append("; password methods not tried (BatchMode=yes)");
    }
    return sb.toString();
  }

  private static String aliasNote(SshTarget hop) {
    return hop.alias().equals(hop.hostName()) ? "" : " (host '" + hop.alias() + "')";
  }

  public static Throwable rootCause(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root && !(root instanceof SshFailure)) {
      root = root.getCause();
    }
    return root;
  }

  public static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
