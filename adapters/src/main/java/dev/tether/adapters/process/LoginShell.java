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

  /**
   * Fails with a reason a person can act on when {@code program} cannot be run: a launcher such as
   * setsid or the PTY's fork would otherwise start and only report a failed exec as an exit status.
   */
  public static void requireProgram(String program, String path) throws java.io.IOException {
    if (program.contains("/")) {
      if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of(program))) {
        throw new java.io.IOException(program + ": no such executable file on the host");
      }
      return;
    }
    for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
        return;
      }
    }
    throw new java.io.IOException(program + ": not found on the host's PATH (" + path + ")");
  }
}
