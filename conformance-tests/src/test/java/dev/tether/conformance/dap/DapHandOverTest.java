package dev.tether.conformance.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code tether dap} on stdio hands its descriptors to the daemon ({@code dev.tether.local.front.HandOver})
 * once the host is connected: the DAP rewriting runs in the daemon, and what the client and the
 * command's stderr and exit status see is what the full CLI gives. Against a real daemon with the
 * agent as its child ({@code local}) and the real debugpy adapter; the remote suites
 * ({@link RemoteDapSuite}) run every DAP behaviour through the same front end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DapHandOverTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private Path base;
  private TetherCli tether;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  void setUp() throws IOException {
    DapRequirements.check();
    base = Files.createTempDirectory("tether-dap-handover-");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
    TetherCli.Result first = tether.run("exec", "local", "--", "true"); // the daemon and its session with `local`
    assertEquals(0, first.exit(), first.toString());
  }

  @AfterEach
  void endCommands() {
    started.forEach(p -> Processes.endTree(p.toHandle()));
    started.clear();
  }

  @AfterAll
  void tearDown() {
    try {
      tether.close();
    } finally {
      RemoteDapSuite.deleteTree(base);
    }
  }

  @Test
  @Order(1)
  void debugpyIsServedInTheDaemonOnTheClientsDescriptors() {
    long before = handedOver();
    int fdsBefore = daemonDescriptors();
    Dap dap = dap("--", "/usr/bin/python3", "-m", "debugpy.adapter");
    JsonObject capabilities = RemoteDapSuite.initialize(dap.client, "debugpy");
    assertTrue(capabilities.has("supportsConfigurationDoneRequest"), capabilities.toString());
    assertEquals(before + 1, handedOver(), "served by the daemon");
    dap.client.await(dap.client.send("disconnect", new JsonObject()), "disconnect");
    dap.client.close();
    assertEquals(0, await(dap.process), dap.stderr());
    assertEquals("", dap.stderr());
    assertEquals(List.of(), dap.client.violations());
    assertEquals(fdsBefore, daemonDescriptors(), "the daemon closed the three descriptors it was given");
  }

  @Test
  @Order(2)
  void anUnknownAdapterIsRefusedAsTheFullCliRefusesIt() {
    long before = handedOver();
    Dap dap = dap("--adapter", "nosuch");
    JsonObject response = dap.client.await(dap.client.send("initialize", new JsonObject()), "initialize");
    assertFalse(response.get("success").getAsBoolean());
    assertTrue(response.get("message").getAsString().contains("unknown debug adapter 'nosuch'"), response.toString());
    dap.client.call("disconnect", new JsonObject());
    assertEquals(1, await(dap.process));
    assertEquals(before + 1, handedOver());
    List<String> lines = dap.stderr().lines().toList();
    assertEquals(1, lines.size(), dap.stderr());
    assertTrue(lines.get(0).startsWith("tether: ") && lines.get(0).contains("unknown debug adapter 'nosuch'"), dap.stderr());
  }

  @Test
  @Order(3)
  void usageErrorsAndListenRunTheFullCli() {
    long before = handedOver();
    TetherCli.Result both = tether.run("dap", "local", "--adapter", "debugpy", "--", "true");
    assertEquals(2, both.exit(), both.toString());
    assertTrue(both.stderr().contains("give exactly one of --adapter NAME, --connect [HOST:]PORT or -- CMD ARGS..."),
        both.stderr());
    TetherCli.Result listen = tether.run("dap", "local", "--listen", "0.0.0.0:0", "--adapter", "debugpy");
    assertTrue(listen.exit() != 0 && listen.stderr().contains("loopback"), listen.toString());
    assertEquals(before, handedOver(), "neither was handed over");
  }

  @Test
  @Order(4)
  void aDaemonThatDiesUnderADebugSessionIsToldToTheClient() {
    ProcessHandle daemon = tether.daemon().orElseThrow();
    Dap dap = dap("--", "/usr/bin/python3", "-m", "debugpy.adapter");
    RemoteDapSuite.initialize(dap.client, "debugpy");
    List<ProcessHandle> left = new ArrayList<>(daemon.descendants().toList()); // the agent and the adapter
    daemon.destroyForcibly();
    JsonObject output = dap.client.awaitEvent("output", b -> "important".equals(DapClient.string(b, "category")));
    assertEquals("tether: the tether daemon stopped during the command\n", DapClient.string(DapClient.body(output), "output"));
    assertEquals(1, await(dap.process));
    assertEquals(List.of("tether: the tether daemon stopped during the command"), dap.stderr().lines().toList());
    assertEquals(List.of(), dap.client.violations());
    left.forEach(Processes::endTree);
  }

  /** A {@code tether dap local ARGS} process with a DAP client on its stdio, its stderr in a file. */
  private record Dap(Process process, DapClient client, Path stderrFile) {
    String stderr() {
      try {
        return Files.exists(stderrFile) ? Files.readString(stderrFile) : "";
      } catch (IOException e) {
        return "(" + e.getMessage() + ")";
      }
    }
  }

  private Dap dap(String... args) {
    List<String> command = new ArrayList<>(List.of("dap", "local", "--map", base + "=" + base));
    command.addAll(List.of(args));
    Path stderr = base.resolve("dap-" + System.nanoTime() + ".stderr");
    try {
      Process process = tether.processBuilder(command, base).redirectError(stderr.toFile()).start();
      started.add(process);
      return new Dap(process, new DapClient(process.getInputStream(), process.getOutputStream(), "dap"), stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long handedOver() {
    TetherCli.Result status = tether.run("daemon", "status");
    Matcher m = Pattern.compile("(\\d+) handed over").matcher(status.stdout());
    assertTrue(m.find(), status.toString());
    return Long.parseLong(m.group(1));
  }

  private int daemonDescriptors() {
    long pid = tether.daemon().orElseThrow().pid();
    String[] names = new File("/proc/" + pid + "/fd").list();
    return names == null ? -1 : names.length;
  }

  private static int await(Process process) {
    try {
      if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        Processes.endTree(process.toHandle());
        throw new AssertionError("tether dap did not finish within " + DEADLINE.toSeconds() + " s");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
