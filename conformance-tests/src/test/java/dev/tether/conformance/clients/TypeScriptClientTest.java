package dev.tether.conformance.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.Processes;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript client ({@code clients/typescript}, written from docs/PROTOCOL.md alone) builds with tsc
 * and passes its own tests, which spawn the real agent this reactor built ({@code tether-remote.jar},
 * passed as {@code TETHER_AGENT_JAR}): handshake, fs, exec, terminal, lsp through vscode-jsonrpc against
 * pylsp, credit windows, keepalive and resumption through the agent daemon's relays, the WebSocket
 * transport; and against {@code tether conformance peer} (tether.jar, as {@code TETHER_JAR}) for the scripted
 * misbehaviour of the reference agent. Missing node, npm or the package's node_modules is a failure naming what to run, never a skip.
 */
class TypeScriptClientTest {
  private static final Path PACKAGE = Path.of("..", "clients", "typescript").toAbsolutePath().normalize();
  private static final Path AGENT_JAR = Path.of("..", "bridge-remote", "target", "tether-remote.jar").toAbsolutePath().normalize();
  /** The CLI, for {@code tether conformance peer} (test/peer.test.ts). */
  private static final Path CLI_JAR = Path.of("..", "bridge-local", "target", "tether.jar").toAbsolutePath().normalize();
  /** The suite's own count today; fewer passing tests means some were not run. */
  private static final int MIN_TESTS = 53;

  @Test
  void theTypeScriptClientPassesItsTestsAgainstTheRealAgent() throws Exception {
    assertTrue(Files.isRegularFile(PACKAGE.resolve("package.json")), "the TypeScript client is missing at " + PACKAGE);
    assertTrue(Files.isRegularFile(AGENT_JAR), "the agent jar is missing at " + AGENT_JAR + " (build bridge-remote first)");
    assertTrue(Files.isRegularFile(CLI_JAR), "the tether CLI jar is missing at " + CLI_JAR + " (build bridge-local first)");
    String npm = executable("npm", "Node.js 20+ and npm are needed for the TypeScript client: apt-get install nodejs npm");
    executable("node", "Node.js 20+ is needed for the TypeScript client: apt-get install nodejs npm");
    for (String module : new String[] {"typescript", "vscode-jsonrpc", "ws"}) {
      assertTrue(Files.isDirectory(PACKAGE.resolve("node_modules").resolve(module)),
          module + " is not installed: run 'npm ci' in " + PACKAGE + " (./run-tests does)");
    }
    Path log = Path.of("target", "typescript-client-test.log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(npm, "test").directory(PACKAGE.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("TETHER_AGENT_JAR", AGENT_JAR.toString());
    builder.environment().put("TETHER_JAR", CLI_JAR.toString());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    try {
      boolean finished = process.waitFor(15, TimeUnit.MINUTES);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(finished, "npm test did not finish within 15 minutes; its output so far (" + log + "):\n" + output);
      assertEquals(0, process.exitValue(), "npm test in " + PACKAGE + " failed (" + log + "):\n" + output);
      assertTrue(count(output, "# fail") == 0, "failures in npm test:\n" + output);
      int passed = count(output, "# pass");
      assertTrue(passed >= MIN_TESTS, passed + " tests passed, expected at least " + MIN_TESTS + ":\n" + output);
    } finally {
      if (process.isAlive()) {
        Processes.endTree(process.toHandle());
      }
    }
  }

  private static int count(String output, String label) {
    Matcher m = Pattern.compile("^" + Pattern.quote(label) + " (\\d+)$", Pattern.MULTILINE).matcher(output);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static String executable(String name, String install) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      File candidate = new File(dir, name);
      if (candidate.canExecute()) {
        return candidate.getPath();
      }
    }
    throw new AssertionError(name + " is not on the PATH. " + install);
  }
}
