package dev.tether.conformance.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.conformance.ws.CuttingProxy;
import dev.tether.local.ssh.MinaSshServer;
import dev.tether.conformance.ws.ServeProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The workbench in real headless Chromium (Debian's {@code chromium}, driven by puppeteer-core from
 * {@code src/test/node/workbench-browser}) against a real {@code tether web local}, whose agent runs
 * pylsp ({@code /usr/bin/python3 -m pylsp}) and a shell on this host: open a Python file from the tree,
 * see pyflakes' diagnostic, read the hover text, go to a definition, pick a completion, save an edit and
 * find it in the file, type {@code echo hi} in the terminal and see {@code hi}, read the Extensions panel
 * (the names the workspace's {@code .tether/extensions.json} declares and the problem of its bad entry) and
 * see it list an extension added to that file meanwhile. A failing step leaves a
 * screenshot under {@code target/workbench-browser/}. Missing chromium, node or the driver's packages
 * is a failure naming what to install, never a skip.
 */
class WorkbenchBrowserTest {
  private static final Path DRIVER = Path.of("src", "test", "node", "workbench-browser").toAbsolutePath();
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(8);
  private static final Path ARTEFACTS = Path.of("target", "workbench-browser").toAbsolutePath();
  private static final List<String> STEPS = List.of("open the link", "open a file from the tree", "see a pyflakes diagnostic",
      "read the hover text", "go to the definition", "pick a completion", "save an edit", "echo hi in the terminal",
      "see the workspace extensions", "see an extension added to the manifest");
  /** Two extensions and one bad entry: the page lists both names and shows the problem line of the third. */
  private static final String MANIFEST = """
      {"extensions": [
        {"name": "alpha", "argv": ["/bin/cat"]},
        {"name": "beta", "argv": ["/bin/cat"], "framing": "newline"},
        {"name": "broken", "argv": []}
      ]}
      """;
  private static final String SOURCE = """
      import os


      def greet(name):
          \"\"\"Says hello.\"\"\"
          return "hello " + name


      print(greet("x"))
      """;

  Path base;
  TetherCli tether;

  @BeforeEach
  void setUp() throws IOException {
    base = Files.createTempDirectory("tether-workbench-");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterEach
  void tearDown() {
    try {
      tether.close();
    } finally {
      ServeProcess.deleteTree(base);
    }
  }

  @Test
  void theWorkbenchEditsRunsAndSavesOnTheHostInChromium() throws Exception {
    String node = requirements();
    Path workspace = Files.createDirectories(base.resolve("workspace"));
    Path file = workspace.resolve("main.py");
    Files.writeString(file, SOURCE);
    Files.writeString(Files.createDirectories(workspace.resolve(".tether")).resolve("extensions.json"), MANIFEST);
    Files.createDirectories(ARTEFACTS);
    try (WebProcess web = WebProcess.start(tether, workspace, base.resolve("logs"), 60, "local")) {
      List<String> passed = drive(node, web, workspace, null);
      assertEquals(STEPS, passed);
      String saved = Files.readString(file);
      assertTrue(saved.startsWith(SOURCE) && saved.endsWith("\nos.path\n# saved from the browser\n"),
          "the host's file after the save: " + saved);
    }
  }

  /**
   * A real cut of the connection between tether web and the agent (a proxy in front of {@code tether-remote
   * serve} resets it): the page must say "connection lost — reconnecting", then "resumed", and its
   * terminal, opened before the cut, must still work, because the agent kept the session.
   */
  @Test
  void thePageShowsALostConnectionAndItsResumption() throws Exception {
    String node = requirements();
    Path workspace = Files.createDirectories(base.resolve("workspace"));
    Path home = Files.createDirectories(base.resolve("serve-home"));
    Files.createDirectories(ARTEFACTS);
    try (ServeProcess serve = ServeProcess.start(home, "--listen", "127.0.0.1:0", "--allow-host", "localhost");
        CuttingProxy proxy = new CuttingProxy(serve.port);
        WebProcess web = WebProcess.start(tether, workspace, base.resolve("logs"), 60, "ws://localhost:" + proxy.port() + "/",
            "--token-file", serve.tokenFile().toString(), "--workspace", workspace.toString())) {
      List<String> passed = drive(node, web, workspace, proxy::cutAll);
      assertEquals(List.of("open the link", "see no extensions declared", "echo one in the terminal", "the page shows the loss", "the page shows the resumption",
          "echo two in the same terminal"), passed);
    }
  }

  /**
   * The same over SSH (MINA SSHD on 127.0.0.1, the agent bootstrapped into its home, the session kept by
   * the agent daemon there): every SSH connection dropped at once, and the page resumes on a new one.
   */
  @Test
  void overSshThePageResumesAfterTheConnectionDrops() throws Exception {
    String node = requirements();
    Path workspace = Files.createDirectories(base.resolve("workspace"));
    Files.createDirectories(ARTEFACTS);
    try (MinaSshServer server = MinaSshServer.start()) {
      Path config = base.resolve("ssh_config");
      Files.writeString(config, String.join("\n", server.hostConfig("tether-web-host", base.resolve("known_hosts"))));
      try (WebProcess web = WebProcess.start(tether, workspace, base.resolve("logs"), 60, "tether-web-host",
          "-F", config.toString(), "--workspace", workspace.toString())) {
        List<String> passed = drive(node, web, workspace, server::dropConnections);
        assertEquals(List.of("open the link", "see no extensions declared", "echo one in the terminal", "the page shows the loss",
            "the page shows the resumption", "echo two in the same terminal"), passed);
      }
    }
  }

  /**
   * Runs the driver; returns the steps it passed, failing with its error (and screenshot) if any. With a
   * {@code cut}, the driver runs its resume steps and {@code cut} runs when it asks for it.
   */
  private List<String> drive(String node, WebProcess web, Path workspace, Runnable cut) throws Exception {
    Path log = Files.createTempFile(base, "driver-", ".stderr");
    List<String> command = new ArrayList<>(List.of(node, "workbench.mjs", web.url.toString(), workspace.toString(),
        ARTEFACTS.toString()));
    if (cut != null) {
      command.add("resume");
    }
    Process driver = new ProcessBuilder(command).directory(DRIVER.toFile()).redirectError(log.toFile()).start();
    if (cut == null) {
      driver.getOutputStream().close();
    }
    // Each step of the driver has its own 60 s limit; this bounds the whole, should it hang elsewhere.
    Thread watchdog = new Thread(() -> {
      try {
        if (!driver.waitFor(DRIVER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          Processes.endTree(driver.toHandle());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "workbench-driver-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Long chromium = null;
    List<String> passed = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        JsonObject event = JsonParser.parseString(line).getAsJsonObject();
        if (event.has("chromiumPid")) {
          chromium = event.get("chromiumPid").getAsLong();
        } else if (event.has("error")) {
          throw new AssertionError("step '" + event.get("step").getAsString() + "' failed: " + event.get("error").getAsString()
              + " (screenshot " + event.get("screenshot").getAsString() + ")");
        } else if (event.has("await")) {
          cut.run();
          driver.getOutputStream().write("cut\n".getBytes(StandardCharsets.UTF_8));
          driver.getOutputStream().close();
        } else if (event.has("step")) {
          passed.add(event.get("step").getAsString());
        }
      }
      assertTrue(driver.waitFor(60, TimeUnit.SECONDS), "the driver did not exit after its output ended");
      assertEquals(0, driver.exitValue(), "the driver failed (or was ended after " + DRIVER_TIMEOUT.toMinutes()
          + " min): " + Files.readString(log));
      return passed;
    } finally {
      Processes.endTree(driver.toHandle());
      if (chromium != null) {
        ProcessHandle.of(chromium).ifPresent(Processes::endTree);
      }
    }
  }

  /** node, chromium and the driver's packages; a failure naming what to install when one is missing. */
  private static String requirements() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new AssertionError(CHROMIUM + " is missing: apt-get install chromium (./run-tests does)");
    }
    String node = null;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "node"))) {
        node = Path.of(dir, "node").toString();
        break;
      }
    }
    if (node == null) {
      throw new AssertionError("node is not installed (the browser test drives Chromium with puppeteer-core):"
          + " apt-get install nodejs npm");
    }
    if (!Files.isDirectory(DRIVER.resolve("node_modules").resolve("puppeteer-core"))) {
      throw new AssertionError("puppeteer-core is not installed: run 'npm ci' in " + DRIVER + " (./run-tests does)");
    }
    return node;
  }
}
