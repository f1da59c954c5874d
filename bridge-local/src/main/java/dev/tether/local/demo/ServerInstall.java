package dev.tether.local.demo;

import dev.tether.local.TetherException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code tether demo} does on a machine with neither pylsp nor clangd: install ONE package, the
 * Python language server, with the system's package manager, after saying so; as root directly, as
 * another user through {@code sudo -n} when that works without a password. When neither is possible it
 * installs nothing and fails with the exact command to run. It never installs silently, and never
 * anything but that package (plus the package index refresh apt needs on a fresh system).
 *
 * <p>The decision ({@link #plan}) is separate from running it ({@link #install}), and the system is
 * reached only through {@link Machine}, so unit tests script it.
 */
public final class ServerInstall {
  /** The system as the installer sees it. */
  public interface Machine {
    /** {@code name} on the PATH, if there. */
    Optional<Path> which(String name);

    boolean isRoot();

    /** Runs {@code command}; its output goes to the user (stderr); returns the exit status. */
    int run(List<String> command) throws IOException, InterruptedException;
  }

  /** A package manager we know the Python language server's package name for. */
  record Manager(String program, String pkg, List<String> refresh, List<String> install) {}

  private static final List<Manager> MANAGERS = List.of(
      new Manager("apt-get", "python3-pylsp", List.of("apt-get", "update", "-q"),
          List.of("apt-get", "install", "-y", "-q", "python3-pylsp")),
      new Manager("dnf", "python3-lsp-server", List.of(), List.of("dnf", "install", "-y", "python3-lsp-server")),
      new Manager("pacman", "python-lsp-server", List.of(),
          List.of("pacman", "-S", "--needed", "--noconfirm", "python-lsp-server")),
      new Manager("apk", "py3-lsp-server", List.of(), List.of("apk", "add", "py3-lsp-server")));

  /** The commands to run, how they are run (as root, or through sudo), and the package. */
  public record Plan(String pkg, List<List<String>> commands, String as) {
    String shell() {
      return commands.stream().map(c -> String.join(" ", c)).collect(Collectors.joining(" && "));
    }
  }

  private final Machine system;

  public ServerInstall(Machine system) {
    this.system = system;
  }

  /** The plan, or a {@link TetherException} that says why not and gives the exact command to run. */
  public Plan plan() throws TetherException, IOException, InterruptedException {
    Manager manager = MANAGERS.stream().filter(m -> system.which(m.program()).isPresent()).findFirst()
        .orElseThrow(() -> new TetherException("neither pylsp nor clangd is installed, and this system has none of "
            + MANAGERS.stream().map(Manager::program).collect(Collectors.joining(", "))
            + ": install pylsp (python-lsp-server) or clangd with your package manager, then run tether demo again"));
    List<List<String>> commands = new ArrayList<>();
    if (!manager.refresh().isEmpty()) {
      commands.add(manager.refresh());
    }
    commands.add(manager.install());
    if (system.isRoot()) {
      return new Plan(manager.pkg(), commands, "as root");
    }
    List<List<String>> withSudo = commands.stream().map(c -> prefixed("sudo", c)).toList();
    if (system.which("sudo").isPresent() && system.run(List.of("sudo", "-n", "true")) == 0) {
      return new Plan(manager.pkg(), commands.stream().map(c -> prefixed("sudo", prefixed("-n", c))).toList(),
          "with sudo");
    }
    throw new TetherException("neither pylsp nor clangd is installed, and installing one needs root: run "
        + new Plan(manager.pkg(), withSudo, "").shell() + " (or install clangd), then tether demo again");
  }

  /** Says what it will run on {@code out}, then runs it; fails naming the command that failed. */
  public void install(Plan plan, PrintWriter out) throws IOException, InterruptedException {
    out.println("tether demo: neither pylsp nor clangd is installed; installing " + plan.pkg() + " (" + plan.as()
        + "): " + plan.shell());
    out.flush();
    for (List<String> command : plan.commands()) {
      int status = system.run(command);
      if (status != 0) {
        throw new TetherException(String.join(" ", command) + " failed (status " + status + "); nothing else was run");
      }
    }
  }

  private static List<String> prefixed(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }

  /** This machine: the PATH, the effective uid, child processes whose output is copied to stderr. */
  public static final class Real implements Machine {
    @Override
    public Optional<Path> which(String name) {
      String path = System.getenv("PATH");
      for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
      return Optional.empty();
    }

    @Override
    public boolean isRoot() {
      try {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        return false; // not Linux, or no /proc: sudo decides
      }
    }

    @Override
    public int run(List<String> command) throws IOException, InterruptedException {
      // The report owns stdout; the package manager's chatter goes to stderr, where progress goes.
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      copy(process.getInputStream(), System.err);
      return process.waitFor();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    }
  }
}
