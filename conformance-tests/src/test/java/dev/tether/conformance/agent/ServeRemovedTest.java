package dev.tether.conformance.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether-remote serve --listen} used to give exec, terminals and files to anyone who reached its
 * TCP port (docs/SECURITY.md). The real agent jar must refuse to serve, for TCP and Unix addresses alike,
 * with a usage error that says why, and leave nothing listening.
 */
class ServeRemovedTest {
  @Test
  void servingWithoutAuthenticationIsRefused(@TempDir Path dir) throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    for (String address : List.of("127.0.0.1:" + port, "0.0.0.0:" + port, "unix:" + dir.resolve("agent.sock"))) {
      Path out = dir.resolve("serve.out");
      Process agent = new ProcessBuilder(Processes.java(), "-jar", TetherCli.AGENT_JAR.toString(),
          "serve", "--listen", address, "--log", dir.resolve("agent.log").toString())
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      agent.getOutputStream().close();
      if (!agent.waitFor(60, TimeUnit.SECONDS)) {
        Processes.endTree(agent.toHandle());
        throw new AssertionError("tether-remote serve --listen " + address + " is still running: " + Files.readString(out));
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      assertEquals(2, agent.exitValue(), output);
      assertTrue(output.contains("'serve' was removed") && output.contains("without authentication"), output);
      assertTrue(Files.notExists(dir.resolve("agent.sock")), "a socket was created");
    }
  }
}
