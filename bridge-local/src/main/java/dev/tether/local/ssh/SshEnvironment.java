package dev.tether.local.ssh;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the SSH layer reads from the outside world: the home directory (for ~/.ssh), environment
 * variables (SSH_ASKPASS, ...) and whether a console is attached. Injected so that tests never
 * touch the real ~/.ssh or the real environment. Immutable and thread-safe.
 */
public final class SshEnvironment {
  private final Path home;
  private final Function<String, String> env;
  private final boolean console;
  private final String localUser;

  private SshEnvironment(Path home, Function<String, String> env, boolean console, String localUser) {
    this.home = Objects.requireNonNull(home, "home").toAbsolutePath();
    this.env = Objects.requireNonNull(env, "env");
    this.console = console;
    this.localUser = Objects.requireNonNull(localUser, "localUser");
  }

  /** The real process: {@code user.home}, {@link System#getenv()}, {@link System#console()}. */
  public static SshEnvironment system() {
    return new SshEnvironment(Path.of(System.getProperty("user.home")), System::getenv,
        System.console() != null, System.getProperty("user.name"));
  }

  /** A synthetic environment without a console, for tests and embedding. */
  public static SshEnvironment of(Path home, Map<String, String> env) {
    Map<String, String> copy = Map.copyOf(env);
    return new SshEnvironment(home, copy::get, false, System.getProperty("user.name"));
  }

  public SshEnvironment withConsole(boolean attached) {
    return new SshEnvironment(home, env, attached, localUser);
  }

  public SshEnvironment withLocalUser(String user) {
    return new SshEnvironment(home, env, console, user);
  }

  public Path home() {
    return home;
  }

  /** {@code home/.ssh}. */
  public Path sshDirectory() {
    return home.resolve(".ssh");
  }

  /** An environment variable, absent when unset or empty. */
  public Optional<String> env(String name) {
    return Optional.ofNullable(env.apply(name)).filter(v -> !v.isEmpty());
  }

  public boolean hasConsole() {
    return console;
  }

  /** The local account name, OpenSSH's default remote user. */
  public String localUser() {
    return localUser;
  }

  /** Expands a leading {@code ~} or {@code ~/} against {@link #home()}; other paths are made absolute. */
  public Path expand(String path) {
    if (path.equals("~")) {
      return home;
    }
    if (path.startsWith("~/")) {
      return home.resolve(path.substring(2));
    }
    return Path.of(path).toAbsolutePath();
  }
}
