package dev.tether.conformance.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.local.ssh.MinaSshServer;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real editor: Debian's Neovim, headless, configured as a user would (its language-server command is
 * {@code java -jar tether.jar lsp <ssh flags> user@127.0.0.1 --map LOCAL=REMOTE --server pylsp}),
 * against a real SSH server (MINA, in-process; the agent is uploaded into its temp home). Neovim opens
 * the LOCAL copy of a file, waits for the client to attach, asks for hover and definition with
 * {@code vim.lsp.buf_request_sync}, and writes what it got as JSON ({@code editor/tether_lsp.lua}).
 *
 * <p>A missing nvim or pylsp is a FAILURE naming the package, never a skip.
 */
class NeovimTest {
  static final Path NVIM = Path.of("/usr/bin/nvim");
  static final Path PYLSP = Path.of("/usr/bin/pylsp");
  static final Path TETHER_JAR = Path.of("..", "bridge-local", "target", "tether.jar").toAbsolutePath().normalize();
  static final Path AGENT_JAR = Path.of("..", "bridge-remote", "target", "tether-remote.jar").toAbsolutePath().normalize();
  static final long STEP_TIMEOUT_MS = 60_000;
  static final long NVIM_TIMEOUT_SECONDS = 150;

  @TempDir
  Path tmp;

  private MinaSshServer ssh;
  private Process nvim;
  private Path runtimeDir;

  @BeforeEach
  void requireTools() {
    require(Files.isExecutable(NVIM), "Neovim is not installed: apt-get install neovim");
    require(Files.isExecutable(PYLSP), "pylsp is not installed: apt-get install python3-pylsp");
    require(Files.isRegularFile(TETHER_JAR), TETHER_JAR + " is missing: build with 'mvn -DskipTests install'");
    require(Files.isRegularFile(AGENT_JAR), AGENT_JAR + " is missing: build with 'mvn -DskipTests install'");
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (nvim != null) {
      List<ProcessHandle> started = new ArrayList<>(nvim.descendants().toList()); // tether lsp
      started.add(nvim.toHandle());
      end(started);
    }
    if (runtimeDir != null) {
      daemonPid().flatMap(ProcessHandle::of).ifPresent(daemon -> end(List.of(daemon)));
    }
    if (ssh != null) {
      ssh.close(); // closes the agent's exec channel, which ends the agent and pylsp
    }
  }

  @Test
  void hoverAndDefinitionInNeovimComeBackForTheLocalFiles() throws Exception {
    Path local = copyProject(tmp.resolve("local").resolve("app"));
    Path remote = copyProject(tmp.resolve("remote").resolve("app"));
    ssh = MinaSshServer.start();
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), ssh.knownHostsLine() + "\n");
    runtimeDir = tmp.resolve("run");
    Path output = tmp.resolve("nvim-results.json");

    JsonObject config = new JsonObject();
    config.addProperty("java", ProcessHandle.current().info().command().orElse("java"));
    config.addProperty("agent_jar", AGENT_JAR.toString());
    config.addProperty("tether_jar", TETHER_JAR.toString());
    config.add("ssh", strings("-i", ssh.clientKey().toString(), "-p", Integer.toString(ssh.port()),
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes"));
    config.addProperty("destination", ssh.user() + "@" + ssh.host());
    config.addProperty("local_root", local.toString());
    config.addProperty("remote_root", remote.toString());
    config.addProperty("file", local.resolve("main.py").toString());
    config.addProperty("line", 3); // message = greet("neovim"), on "greet"
    config.addProperty("col", "message = gr".length());
    config.addProperty("timeout_ms", STEP_TIMEOUT_MS);
    config.addProperty("output", output.toString());
    Path configFile = Files.writeString(tmp.resolve("nvim-config.json"), config.toString());

    JsonObject results = runNeovim(configFile, output, local);

    assertEquals(new JsonArray(), results.get("errors"), "errors reported inside Neovim");
    assertTrue(results.get("attached").getAsBoolean(), "the client attached");
    String hover = hoverText(results.get("hover"));
    assertTrue(hover.contains("greet(name: str) -> str"), "hover shows the signature: " + hover);
    assertTrue(hover.contains("Return a friendly greeting for name."), "hover shows the docstring: " + hover);
    JsonObject location = firstLocation(results.get("definition"));
    assertEquals(local.resolve("greet.py").toUri().toString(), location.get("uri").getAsString(),
        "definition points into the LOCAL copy");
    assertEquals(3, location.getAsJsonObject("range").getAsJsonObject("start").get("line").getAsInt(),
        "definition is on the 'def greet' line (0-based 3)");
    assertEquals(local.resolve("main.py").toUri().toString(), results.get("diagnostics_uri").getAsString(),
        "diagnostics arrive for the LOCAL file");
  }

  private JsonObject runNeovim(Path configFile, Path output, Path workingDir) throws Exception {
    Path log = tmp.resolve("nvim.log");
    ProcessBuilder builder = new ProcessBuilder(NVIM.toString(), "--headless", "--noplugin", "-n", "-i", "NONE",
        "-u", resource("editor/tether_lsp.lua").toString())
        .directory(workingDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("TETHER_NVIM_CONFIG", configFile.toString());
    env.put("TETHER_RUNTIME_DIR", runtimeDir.toString());
    for (String xdg : List.of("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")) {
      env.put(xdg, tmp.resolve("xdg").resolve(xdg.toLowerCase()).toString()); // nvim's lsp.log, tether's file cache
    }
    env.remove("SSH_AUTH_SOCK");
    nvim = builder.start();
    if (!nvim.waitFor(NVIM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      fail("nvim did not finish within " + NVIM_TIMEOUT_SECONDS + " s; its output:\n" + read(log));
    }
    if (!Files.isRegularFile(output)) {
      fail("nvim exited " + nvim.exitValue() + " without writing results; its output:\n" + read(log));
    }
    return JsonParser.parseString(Files.readString(output)).getAsJsonObject();
  }

  private static Path copyProject(Path dir) throws IOException, URISyntaxException {
    Files.createDirectories(dir);
    for (String name : List.of("greet.py", "main.py")) {
      Files.copy(resource("editor/python/" + name), dir.resolve(name));
    }
    return dir;
  }

  /** MarkupContent, MarkedString or MarkedString[] as one text. */
  private static String hoverText(JsonElement hover) {
    assertTrue(hover != null && hover.isJsonObject(), "a hover result: " + hover);
    JsonElement contents = hover.getAsJsonObject().get("contents");
    List<JsonElement> parts = new ArrayList<>();
    if (contents.isJsonArray()) {
      contents.getAsJsonArray().forEach(parts::add);
    } else {
      parts.add(contents);
    }
    StringBuilder text = new StringBuilder();
    for (JsonElement part : parts) {
      text.append(part.isJsonPrimitive() ? part.getAsString() : part.getAsJsonObject().get("value").getAsString()).append('\n');
    }
    return text.toString();
  }

  private static JsonObject firstLocation(JsonElement definition) {
    assertTrue(definition != null && !definition.isJsonNull(), "a definition result");
    JsonObject first = definition.isJsonArray() ? definition.getAsJsonArray().get(0).getAsJsonObject()
        : definition.getAsJsonObject();
    if (first.has("targetUri")) { // LocationLink
      JsonObject location = new JsonObject();
      location.add("uri", first.get("targetUri"));
      location.add("range", first.get("targetSelectionRange"));
      return location;
    }
    return first;
  }

  private Optional<Long> daemonPid() {
    try {
      return Optional.of(Long.parseLong(Files.readString(runtimeDir.resolve("daemon.pid")).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** SIGTERM, then SIGKILL for whatever is still running after a few seconds. */
  private static void end(List<ProcessHandle> processes) {
    processes.forEach(ProcessHandle::destroy);
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception stillRunning) {
        process.destroyForcibly();
      }
    }
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(NeovimTest.class.getClassLoader().getResource(name).toURI());
  }

  private static JsonArray strings(String... values) {
    JsonArray array = new JsonArray();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }

  private static String read(Path file) throws IOException {
    return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)";
  }

  private static void require(boolean present, String message) {
    if (!present) {
      throw new AssertionError(message);
    }
  }
}
