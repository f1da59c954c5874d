package dev.tether.conformance.dap;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where the Node DAP client package lives ({@code src/test/node/dap-client}) and the checks that it can
 * run: node on the PATH and its packages installed by {@code npm ci}. A missing piece is a failure that
 * says what to run, never a skip.
 */
final class NodeClient {
  private NodeClient() {}

  static Path packageDir() {
    Path dir = Path.of("src", "test", "node", "dap-client").toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("test.js"))) {
      throw new AssertionError("the Node DAP client package is missing at " + dir);
    }
    node();
    if (!Files.isDirectory(dir.resolve("node_modules").resolve("@vscode").resolve("debugadapter-testsupport"))) {
      throw new AssertionError("@vscode/debugadapter-testsupport is not installed: run 'npm ci' in " + dir
          + " (./run-tests does)");
    }
    return dir;
  }

  /** The node executable; fails naming what to install when there is none. */
  static String node() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      File candidate = new File(dir, "node");
      if (candidate.canExecute() && runs(candidate.getPath())) {
        return candidate.getPath();
      }
    }
    throw new AssertionError("node is not installed (Node.js 18+ and npm are needed for the third-party DAP client "
        + "test): apt-get install nodejs npm");
  }

  private static boolean runs(String node) {
    try {
      Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  static String shellQuote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
