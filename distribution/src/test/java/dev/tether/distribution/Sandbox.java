package dev.tether.distribution;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command as a user of the release would: in a given directory, with an environment made from
 * nothing (PATH, HOME and what the test adds; no JAVA_HOME, no Maven settings), stdin from /dev/null.
 * A command still running at its deadline is ended with its descendants, by pid, and the test fails.
 */
final class Sandbox {
  /** What a command did. */
  record Result(int exit, String out, String err) {
    String both() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Path dir;
  private final Map<String, String> env = new TreeMap<>();

  Sandbox(Path dir, Path home, String path) {
    this.dir = dir;
    env.put("HOME", home.toString());
    env.put("PATH", path);
    env.put("LANG", "C.UTF-8");
  }

  Sandbox with(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** The directory of the java running this test, then the system's: a user's PATH with a JRE 17+. */
  static String pathWithJava() throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    return Path.of(java).toRealPath().getParent() + ":/usr/bin:/bin";
  }

  Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
    return run(timeoutSeconds, List.of(command));
  }

  Result run(long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("sandbox-out", ".txt");
    Path err = Files.createTempFile("sandbox-err", ".txt");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().clear();
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s; stderr:\n"
            + Files.readString(err));
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
