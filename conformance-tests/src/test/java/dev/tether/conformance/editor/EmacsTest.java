package dev.tether.conformance.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second real editor: Debian's Emacs with eglot, in batch mode, configured with the very snippet of
 * docs/EDITORS.md ("Emacs (eglot)"), its placeholders filled with a real SSH server (MINA, in-process)
 * and `tether` on the PATH as a user has it. Emacs opens the LOCAL copy of a Python file, starts eglot,
 * asks for hover and runs {@code xref-find-definitions} ({@code editor/tether_eglot.el}).
 *
 * <p>A missing emacs, eglot or pylsp is a FAILURE naming the package, never a skip.
 */
class EmacsTest {
  static final Path EMACS = Path.of("/usr/bin/emacs");
  static final Path EDITORS_MD = Path.of("..", "docs", "EDITORS.md").toAbsolutePath().normalize();
  static final long STEP_TIMEOUT_SECONDS = 60;
  static final long EMACS_TIMEOUT_SECONDS = 180;

  @TempDir
  Path tmp;

  private MinaSshServer ssh;
  private Process emacs;
  private Path runtimeDir;

  @BeforeEach
  void requireTools() throws IOException {
    require(Files.isExecutable(EMACS), "Emacs is not installed: apt-get install emacs-nox");
    require(eglotInstalled(), "eglot is not installed for Emacs: apt-get install elpa-eglot");
    require(Files.isExecutable(NeovimTest.PYLSP), "pylsp is not installed: apt-get install python3-pylsp");
    require(Files.isRegularFile(NeovimTest.TETHER_JAR), NeovimTest.TETHER_JAR + " is missing: mvn -DskipTests package");
    require(Files.isRegularFile(NeovimTest.AGENT_JAR), NeovimTest.AGENT_JAR + " is missing: mvn -DskipTests package");
  }

  private static boolean eglotInstalled() throws IOException {
    try (var entries = Files.list(Path.of("/usr/share/emacs/site-lisp/elpa"))) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith("eglot-"));
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
  }

  @AfterEach
  void stopEverything() {
    if (emacs != null) {
      List<ProcessHandle> started = new ArrayList<>(emacs.descendants().toList()); // tether lsp
      started.add(emacs.toHandle());
      end(started);
    }
    if (runtimeDir != null) {
      daemonPid().flatMap(ProcessHandle::of).ifPresent(daemon -> end(List.of(daemon)));
    }
    if (ssh != null) {
      ssh.close();
    }
  }

  @Test
  void hoverAndXrefInEmacsEglotComeBackForTheLocalFiles() throws Exception {
    Path local = copyProject(tmp.resolve("local").resolve("app"));
    Path remote = copyProject(tmp.resolve("remote").resolve("app"));
    ssh = MinaSshServer.start();
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), ssh.knownHostsLine() + "\n");
    runtimeDir = tmp.resolve("run");

    String snippet = docSnippet()
        .replace("\"user@host\"", elispStrings("-i", ssh.clientKey().toString(), "-p", Integer.toString(ssh.port()),
            "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes", ssh.user() + "@" + ssh.host()))
        .replace("\"~/proj=/home/user/proj\"", elispStrings(local + "=" + remote));
    Path snippetFile = Files.writeString(tmp.resolve("snippet.el"), snippet);
    Path output = tmp.resolve("emacs-results.json");

    JsonObject results = runEmacs(snippetFile, local.resolve("main.py"), output, local);

    assertFalse(results.has("error"), "error inside Emacs: " + results);
    assertEquals("python-mode", results.get("major_mode").getAsString());
    assertTrue(results.get("connected").getAsBoolean(), "eglot connected");
    String hover = JsonParser.parseString(results.get("hover").getAsString()).getAsJsonObject().get("contents").toString();
    assertTrue(hover.contains("greet(name: str) -> str"), "hover shows the signature: " + hover);
    assertTrue(hover.contains("Return a friendly greeting for name."), "hover shows the docstring: " + hover);
    assertEquals(local.resolve("greet.py").toString(), results.get("definition_file").getAsString(),
        "xref-find-definitions lands in the LOCAL copy");
    assertEquals(4, results.get("definition_line").getAsInt(), "on the 'def greet' line");
  }

  /** The elisp block of docs/EDITORS.md's "Emacs (eglot)" section, as users copy it. */
  static String docSnippet() throws IOException {
    String doc = Files.readString(EDITORS_MD, StandardCharsets.UTF_8);
    Matcher block = Pattern.compile("## Emacs \\(eglot\\).*?```elisp\n(.*?)```", Pattern.DOTALL).matcher(doc);
    assertTrue(block.find(), "docs/EDITORS.md has an elisp block under '## Emacs (eglot)'");
    String snippet = block.group(1);
    for (String placeholder : List.of("\"tether\" \"lsp\"", "\"user@host\"", "\"~/proj=/home/user/proj\"")) {
      assertTrue(snippet.contains(placeholder), "the snippet has " + placeholder + ":\n" + snippet);
    }
    return snippet;
  }

  private JsonObject runEmacs(Path snippet, Path file, Path output, Path workingDir) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path tether = Files.writeString(bin.resolve("tether"), "#!/bin/sh\nexec '"
        + ProcessHandle.current().info().command().orElse("java") + "' -Dtether.agent.jar='" + NeovimTest.AGENT_JAR
        + "' -jar '" + NeovimTest.TETHER_JAR + "' \"$@\"\n");
    assertTrue(tether.toFile().setExecutable(true));
    Path log = tmp.resolve("emacs.log");
    ProcessBuilder builder = new ProcessBuilder(EMACS.toString(), "--batch", "-l",
        resource("editor/tether_eglot.el").toString())
        .directory(workingDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin")); // `tether` as users have it
    env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
    env.put("TETHER_EMACS_SNIPPET", snippet.toString());
    env.put("TETHER_EMACS_FILE", file.toString());
    env.put("TETHER_EMACS_OUTPUT", output.toString());
    env.put("TETHER_EMACS_TIMEOUT", Long.toString(STEP_TIMEOUT_SECONDS));
    env.put("TETHER_RUNTIME_DIR", runtimeDir.toString());
    env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
    env.remove("SSH_AUTH_SOCK");
    emacs = builder.start();
    if (!emacs.waitFor(EMACS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      fail("emacs did not finish within " + EMACS_TIMEOUT_SECONDS + " s; its output:\n" + read(log));
    }
    if (!Files.isRegularFile(output)) {
      fail("emacs exited " + emacs.exitValue() + " without writing results; its output:\n" + read(log));
    }
    return JsonParser.parseString(Files.readString(output)).getAsJsonObject();
  }

  private static String elispStrings(String... values) {
    List<String> quoted = new ArrayList<>();
    for (String value : values) {
      quoted.add("\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    return String.join(" ", quoted);
  }

  private static Path copyProject(Path dir) throws IOException, URISyntaxException {
    Files.createDirectories(dir);
    for (String name : List.of("greet.py", "main.py")) {
      Files.copy(resource("editor/python/" + name), dir.resolve(name));
    }
    return dir;
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
    return Path.of(EmacsTest.class.getClassLoader().getResource(name).toURI());
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
