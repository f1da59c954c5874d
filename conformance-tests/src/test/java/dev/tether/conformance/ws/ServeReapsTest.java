package dev.tether.conformance.ws;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code tether-remote serve} records the process groups it starts, as the agent daemon does: a
 * server killed with SIGKILL cannot end them, and the next server on the same address does.
 */
class ServeReapsTest {
  private static final long WAIT_MILLIS = 60_000;

  @Test
  void theNextServerEndsWhatAKilledOneLeftRunning() throws Exception {
    Path base = Files.createTempDirectory("tether-serve-reap-");
    Path home = Files.createDirectories(base.resolve("home"));
    String listen = "127.0.0.1:" + freePort();
    String marker = Long.toString(900_000 + System.nanoTime() % 99_999); // the child's own argument
    ServeProcess first = null;
    ServeProcess second = null;
    ProcessHandle child = null;
    try (TetherCli tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"))) {
      first = ServeProcess.start(home, "--listen", listen);
      assertTrue(first.port > 0, "serve did not start: " + first.output);
      tether.spawn("exec", first.url(), "--token-file", first.tokenFile().toString(), "--", "sleep", marker);
      child = awaitSleep(first.process.toHandle(), marker);
      // The child exists a moment before the server writes its record: kill the server only after.
      awaitRecord(home.resolve(".tether/run/tether-remote-serve-" + listen.replace(':', '-') + ".groups"), child.pid());

      first.process.destroyForcibly(); // SIGKILL: the server has no chance to end its children
      assertTrue(first.process.waitFor(30, TimeUnit.SECONDS), "serve did not die");
      assertTrue(child.isAlive(), "the child should outlive a killed server (pid " + child.pid() + ")");

      second = ServeProcess.start(home, "--listen", listen);
      assertTrue(second.port > 0, "the second serve did not start: " + second.output);
      try {
        child.onExit().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException stillAlive) {
        // asserted below
      }
    } finally {
      if (first != null) {
        first.close();
      }
      if (second != null) {
        second.close();
      }
    }
    try {
      assertTrue(child != null && !child.isAlive(), "the next serve should have ended pid " + (child == null ? "?" : child.pid()));
    } finally {
      if (child != null && child.isAlive()) {
        Processes.endTree(child);
      }
      ServeProcess.deleteTree(base);
    }
  }

  /** The {@code sleep MARKER} the server started, by its process tree (nothing else on the machine). */
  private static ProcessHandle awaitSleep(ProcessHandle server, String marker) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      Optional<ProcessHandle> sleep = server.descendants()
          .filter(p -> p.info().commandLine().map(c -> c.contains("sleep") && c.endsWith(marker)).orElse(false))
          .findFirst();
      if (sleep.isPresent()) {
        return sleep.get();
      }
      Thread.sleep(50); // a poll of /proc, bounded by the deadline: no event says "the child started"
    }
    throw new AssertionError("serve started no 'sleep " + marker + "' within " + WAIT_MILLIS / 1000 + " s: "
        + server.descendants().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
  }

  /** The server's record of the group {@code leader} leads, in {@code dir} (a file named by the pid). */
  private static void awaitRecord(Path dir, long leader) throws InterruptedException {
    Path record = dir.resolve(Long.toString(leader));
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!Files.exists(record)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("serve recorded no process group for pid " + leader + " in " + dir + ": "
            + (Files.isDirectory(dir) ? dir.toFile().list().length + " records there" : "no such directory"));
      }
      Thread.sleep(20); // another process's file: a poll bounded by the deadline
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }
}
