package dev.tether.local.ssh;

/**
 * Every SSH-layer failure, carrying ONE line a user can act on.
 *
 * <p>The message never contains a stack trace or a line break: the CLI prints it as is on stderr
 * (stdout may belong to the protocol). The cause, when there is one, is kept for logs only.
 */
public final class SshFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, so callers (CLI exit code, doctor, retry logic) can branch without parsing text. */
  public enum Kind {
    /** Bad destination or option on the command line. */
    USAGE,
    /** The ssh_config file or a key file could not be read or understood. */
    CONFIG,
    /** TCP connection refused, no route, name not resolved, or the jump host could not reach the target. */
    UNREACHABLE,
    /** No answer in time (connect, handshake, authentication or a command wait). */
    TIMEOUT,
    /** The server's host key is not in known_hosts and strict checking is on. */
    UNKNOWN_HOST_KEY,
    /** The server's host key differs from the one in known_hosts (or is revoked). */
    CHANGED_HOST_KEY,
    /** The server refused every authentication method we could offer. */
    AUTH_FAILED,
    /** A passphrase-protected key could not be decrypted with the passphrases given. */
    BAD_PASSPHRASE,
    /** A passphrase or password is needed but nobody can be asked. */
    NO_PROMPTER,
    /** The connection was lost or closed. */
    DISCONNECTED,
    /** A remote operation (exec, SFTP) failed. */
    REMOTE
  }

  private final Kind kind;

  public SshFailure(Kind kind, String message) {
    this(kind, message, null);
  }

  public SshFailure(Kind kind, String message, Throwable cause) {
    super(oneLine(message), cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The CLI contract: 2 for usage errors, otherwise 255 like {@code ssh}. */
  public int exitCode() {
    return kind == Kind.USAGE ? 2 : 255;
  }

  /** Collapses whitespace runs with line breaks, because a message is shown as a single line. */
  static String oneLine(String text) {
    if (text == null || text.isBlank()) {
      return "SSH failure";
    }
    return text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
