package dev.tether.local.ssh;

/**
 * Asks the user for a secret or an answer: key passphrases, passwords, keyboard-interactive prompts.
 *
 * <p>Threading: called on an SSH I/O thread while authentication runs; it may block for as long as
 * the user needs. Calls for one connection never overlap. Implementations must not write to
 * stdout, which may carry the LSP/DAP protocol.
 */
public interface Prompter {
  /**
   * Returns the answer to {@code message}, or {@code null} when the user cancelled.
   *
   * @param echo whether the answer may be shown while typed (false for passphrases and passwords)
   * @throws SshFailure of kind {@link SshFailure.Kind#NO_PROMPTER} when nobody can be asked
   */
  String prompt(String message, boolean echo);

  /**
   * Tells the user something they must know about the connection (a changed host key accepted under
   * {@code StrictHostKeyChecking=no}), on stderr by default; never on stdout.
   */
  default void warn(String line) {
    System.err.println("tether: " + line);
  }

  /** Whether {@link #prompt} can reach a person at all; when false, password methods are not offered. */
  default boolean isAvailable() {
    return true;
  }

  /**
   * The prompter OpenSSH would use: the console when there is one, else the program named by
   * {@code SSH_ASKPASS}, else none (an editor typically starts us without a terminal).
   */
  static Prompter forEnvironment(SshEnvironment environment) {
    if (environment.hasConsole()) {
      return new ConsolePrompter();
    }
    return environment.env("SSH_ASKPASS")
        .<Prompter>map(program -> new AskpassPrompter(program, environment))
        .orElseGet(Prompter::unavailable);
  }

  /** A prompter that always fails with {@link SshFailure.Kind#NO_PROMPTER}. */
  static Prompter unavailable() {
    return new Prompter() {
      @Override
      public String prompt(String message, boolean echo) {
        throw new SshFailure(SshFailure.Kind.NO_PROMPTER, "cannot ask '" + message.strip()
            + "': no terminal and SSH_ASKPASS is not set; set SSH_ASKPASS to a passphrase program,"
            + " or use an unencrypted key or ssh-agent");
      }

      @Override
      public boolean isAvailable() {
        return false;
      }
    };
  }
}
