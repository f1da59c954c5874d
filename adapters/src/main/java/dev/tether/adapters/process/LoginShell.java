package dev.tether.adapters.process;

import java.util.List;

/**
 * What {@code ssh host} and {@code ssh host command} run: the user's shell ({@code $SHELL}, as sshd
 * sets it from the password database), as a login shell or with {@code -c command}.
 */
public final class LoginShell {
  private LoginShell() {}

  public static String path() {
    String shell = System.getenv("SHELL");
    return shell == null || shell.isBlank() ? "/bin/sh" : shell;
  }

  /** {@code argv} when given, else {@code $SHELL -c command}, else {@code $SHELL -l}. */
  public static List<String> argv(List<String> argv, String command) {
    if (argv != null && !argv.isEmpty()) {
      return List.copyOf(argv);
    }
    if (command != null) {
      return List.of(path(), "-c", command);
    }
    return List.of(path(), "-l");
  }
}
