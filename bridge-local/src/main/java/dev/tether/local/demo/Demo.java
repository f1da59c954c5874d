package dev.tether.local.demo;

import dev.tether.local.TetherException;
import dev.tether.local.connect.AgentJar;
import dev.tether.local.daemon.DaemonPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code tether demo}: a real language server reached through a real SSH connection, on this machine
 * alone. A {@link LoopbackHost} plays the remote host; the demo then does what an editor does: it
 * starts {@code tether lsp -F <ssh_config> demo-host --map LOCAL=REMOTE --server NAME} as a child
 * process and speaks LSP to it ({@link EditorScript}), printing each step with its time. Everything
 * lives in one temp directory (the host's home, both copies of the project, ssh files, the daemon's
 * runtime directory, the file cache), and {@link Teardown} removes it all, daemon included.
 *
 * <p>The report goes to {@code out}; failures are thrown as {@link TetherException} with one line.
 */
public final class Demo {
  static final String NO_SERVER = "install a language server: apt-get install python3-pylsp (or clangd)";
  private static final List<String> SERVERS = List.of("pylsp", "clangd");

  private final Report report;
  private final String launcher;

  /** {@code launcher}: the {@code ./tether} script users run, for the PATH hint; may be null. */
  public Demo(PrintWriter out, String launcher) {
    this.report = new Report(out);
    this.launcher = launcher;
  }

  /** Runs the demo with {@code requested} (pylsp or clangd), or the first runnable of them when null. */
  public void run(String requested) throws IOException, InterruptedException {
    long start = System.nanoTime();
    AgentJar agent = AgentJar.locate();
    String[] server = pick(requested);
    DemoProject project = DemoProject.forServer(server[0]);
    Path root = Files.createTempDirectory("tether-demo-");
    DaemonPaths runtime = new DaemonPaths(root.resolve("run"));
    try (Teardown teardown = new Teardown(root, runtime)) {
      LoopbackHost host = LoopbackHost.start(root.resolve("host-home"), root.resolve("ssh"));
      teardown.host(host);
      Path local = root.resolve("local").resolve("app");
      Path remote = host.home().resolve("app");
      project.writeTo(local);
      project.writeTo(remote);
      List<String> args = List.of("lsp", "-F", host.sshConfig().toString(), LoopbackHost.ALIAS,
          "--map", local + "=" + remote, "--server", project.server());

      report.title("tether demo: " + project.server() + " on a host reached over SSH exactly as a real one"
          + " (the host is this machine)");
      report.abbreviate(root);
      report.fact("host", LoopbackHost.ALIAS + " = " + host.address() + ", an embedded SSH server, host key "
          + host.hostKeyFingerprint());
      report.fact("ssh", host.sshConfig() + ": throwaway client key, known_hosts with that host key, strict checking");
      report.fact("local", local + " (the editor's copy)");
      report.fact("remote", remote + " (the host's copy; the host's HOME is " + host.home() + ")");
      report.fact("server", server[1] + ", started on the host by the agent");
      report.fact("editor", "runs: tether " + TetherLspProcess.quoteForShell(args));
      report.blank();
      report.step("set up", start, "keys generated, SSH server started, both copies of the project written");

      TetherLspProcess lsp = TetherLspProcess.start(concat(TetherLspProcess.selfCommand(agent.path()), args), local,
          Map.of("TETHER_RUNTIME_DIR", runtime.dir().toString(), "XDG_CACHE_HOME", root.resolve("cache").toString()));
      teardown.lsp(lsp);
      new EditorScript(lsp, project, local, report).run();

      long t = System.nanoTime();
      teardown.close();
      report.step("clean up", t, teardown.daemonPid().map(pid -> "daemon (pid " + pid + ") stopped, ").orElse("")
          + "SSH server closed, $D removed");
    }
    report.step("total", start, "");
    printSetUp(project.server(), project.languageId());
  }

  /**
   * {name, path} of the server to use. When none was requested and neither runs, one is installed first
   * ({@link ServerInstall}: said on {@code out}, or refused with the command to run).
   */
  private String[] pick(String requested) throws IOException, InterruptedException {
    if (requested == null && SERVERS.stream().allMatch(name -> runnable(name).isEmpty())) {
      ServerInstall installer = new ServerInstall(new ServerInstall.Real());
      installer.install(installer.plan(), report.out());
      if (runnable("pylsp").isEmpty()) {
        throw new TetherException("pylsp was installed but does not run from the PATH (" + System.getenv("PATH")
            + "); " + NO_SERVER);
      }
    }
    return find(requested);
  }

  private static String[] find(String requested) throws TetherException {
    for (String name : requested == null ? SERVERS : List.of(requested)) {
      Optional<Path> found = runnable(name);
      if (found.isPresent()) {
        return new String[] {name, found.get().toString()};
      }
    }
    throw new TetherException(requested == null || requested.equals("pylsp") ? NO_SERVER
        : requested + " does not run here: apt-get install " + requested);
  }

  /**
   * {@code name} as found on the PATH, if it is executable and, for a script, so is its interpreter
   * (say a pylsp left behind by a removed Python). Cheaper than running it: pylsp takes a second to start.
   */
  static Optional<Path> runnable(String name) {
    String path = System.getenv("PATH");
    for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate) && interpreterRuns(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static boolean interpreterRuns(Path executable) {
    try (InputStream in = Files.newInputStream(executable)) {
      String head = new String(in.readNBytes(256), StandardCharsets.ISO_8859_1);
      if (!head.startsWith("#!")) {
        return true; // a binary
      }
      String interpreter = head.substring(2).lines().findFirst().orElse("").strip().split("\\s+")[0];
      return interpreter.isEmpty() || Files.isExecutable(Path.of(interpreter));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private void printSetUp(String server, String language) {
    String map = "~/src/app=/home/alice/app";
    report.blank();
    report.line("Use it with a real host (it needs Java 17+; the agent is uploaded on first use, as above):");
    report.blank();
    report.line("  tether lsp alice@build-box --map " + map + " --server " + server);
    report.blank();
    report.line("  Neovim 0.8+ (init.lua):");
    report.line("    vim.lsp.start({ name = '" + server + "@build-box', root_dir = vim.fn.expand('~/src/app'),");
    report.line("      cmd = { 'tether', 'lsp', 'alice@build-box', '--map', '" + map + "', '--server', '" + server + "' } })");
    report.line("  Helix (~/.config/helix/languages.toml):");
    report.line("    [language-server." + server + "-build-box]");
    report.line("    command = \"tether\"");
    report.line("    args = [\"lsp\", \"alice@build-box\", \"--map\", \"" + map + "\", \"--server\", \"" + server + "\"]");
    report.line("    [[language]]");
    report.line("    name = \"" + language + "\"");
    report.line("    language-servers = [\"" + server + "-build-box\"]");
    report.line("  VS Code, Emacs (eglot), Sublime Text, Neovim 0.7 and nvim-lspconfig: docs/EDITORS.md");
    if (launcher != null) {
      report.line("  To have 'tether' on your PATH: " + installHint(Path.of(launcher)));
    }
  }

  /** A release's install.sh (links, man pages, completions) beside {@code bin/}; in a checkout, a link. */
  static String installHint(Path launcher) {
    Path parent = launcher.toAbsolutePath().getParent();
    Path installer = parent == null || parent.getParent() == null ? null : parent.getParent().resolve("install.sh");
    if (installer != null && Files.isRegularFile(installer)) {
      return installer + " (also man pages and shell completion)";
    }
    return "ln -s " + launcher + " ~/.local/bin/tether";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
