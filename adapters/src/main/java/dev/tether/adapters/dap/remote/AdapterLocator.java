package dev.tether.adapters.dap.remote;

import dev.tether.adapters.catalog.DebugAdapter;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a catalog debug adapter on this host: its program on the PATH (or one of its alternatives:
 * {@code lldb-dap-19} for {@code lldb-dap}), then its probe ({@code python3 -c "import debugpy"}).
 * What is missing is said in one sentence that names the package to install.
 */
public final class AdapterLocator {
  private static final long PROBE_SECONDS = 20;

  private AdapterLocator() {}

  /** The adapter's argv with its program resolved, or an exception whose message says what is missing. */
  public static List<String> locate(DebugAdapter adapter) throws AdapterMissingException {
    String program = findProgram(adapter).orElseThrow(() -> new AdapterMissingException(notFound(adapter)));
    List<String> command = new ArrayList<>(adapter.command());
    command.set(0, program);
    if (!adapter.probe().isEmpty()) {
      probe(adapter, program);
    }
    return command;
  }

  /** The program as the agent would run it, trying the alternatives; empty when none is installed. */
  public static Optional<String> findProgram(DebugAdapter adapter) {
    List<String> names = new ArrayList<>();
    names.add(adapter.command().get(0));
    names.addAll(adapter.alternatives());
    for (String name : names) {
      Optional<String> found = name.endsWith("*") ? findNewest(name.substring(0, name.length() - 1)) : find(name);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** {@code program} as a path, or looked up on the agent's PATH. */
  public static Optional<String> find(String program) {
    if (program.contains("/")) {
      return Files.isExecutable(Path.of(program)) ? Optional.of(program) : Optional.empty();
    }
    for (Path dir : path()) {
      Path candidate = dir.resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }

  /** {@code prefix} followed by a version ({@code lldb-dap-19}), the highest version first. */
  private static Optional<String> findNewest(String prefix) {
    List<Path> found = new ArrayList<>();
    for (Path dir : path()) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob(prefix) + "*")) {
        for (Path entry : entries) {
          String suffix = entry.getFileName().toString().substring(prefix.length());
          if (suffix.matches("[0-9][0-9.]*") && Files.isExecutable(entry)) {
            found.add(entry);
          }
        }
      } catch (IOException | RuntimeException unreadable) {
        // a PATH entry that is not a readable directory offers nothing
      }
    }
    return found.stream().max(Comparator.comparing((Path p) -> version(p, prefix))).map(Path::toString);
  }

  private static String glob(String literal) {
    return literal.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
  }

  private static String version(Path program, String prefix) {
    StringBuilder key = new StringBuilder();
    for (String part : program.getFileName().toString().substring(prefix.length()).split("\\.")) {
      key.append(String.format("%08d", Long.parseLong(part.isEmpty() ? "0" : part)));
    }
    return key.toString();
  }

  private static List<Path> path() {
    List<Path> dirs = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      dirs.add(Path.of(dir.isEmpty() ? "." : dir));
    }
    return dirs;
  }

  private static void probe(DebugAdapter adapter, String program) throws AdapterMissingException {
    List<String> argv = adapter.probe().stream().map(a -> a.replace("{program}", program)).toList();
    String lastLine = "";
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (!line.isBlank()) {
            lastLine = line.strip();
          }
        }
      }
      if (process.waitFor(PROBE_SECONDS, TimeUnit.SECONDS) && process.exitValue() == 0) {
        return;
      }
      process.destroyForcibly();
    } catch (IOException e) {
      lastLine = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdapterMissingException("interrupted while checking debug adapter " + adapter.name());
    }
    throw new AdapterMissingException("debug adapter " + adapter.name() + " cannot run on the host: '"
        + String.join(" ", argv) + "' failed" + (lastLine.isEmpty() ? "" : " (" + lastLine + ")") + "; "
        + install(adapter));
  }

  private static String notFound(DebugAdapter adapter) {
    List<String> names = new ArrayList<>();
    names.add(adapter.command().get(0));
    names.addAll(adapter.alternatives());
    return "debug adapter " + adapter.name() + " is not installed on the host (looked for "
        + String.join(", ", names) + " on the agent's PATH); " + install(adapter);
  }

  private static String install(DebugAdapter adapter) {
    String hint = adapter.packageHint() == null ? "install it there"
        : "install " + adapter.packageHint() + " there (Debian: apt-get install " + adapter.packageHint().split(" ")[0] + ")";
    return hint + ", or name its full command in ~/.config/tether/servers.json on the host";
  }

  /** The adapter cannot run on this host; the message says what to install. */
  public static final class AdapterMissingException extends Exception {
    private static final long serialVersionUID = 1L;

    public AdapterMissingException(String message) {
      super(message);
    }
  }
}
