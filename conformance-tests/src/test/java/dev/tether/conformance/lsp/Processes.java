package dev.tether.conformance.lsp;

import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.SshServerFixture;
import dev.tether.local.ssh.TestProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Process look-ups for the LSP integration tests, from {@code /proc} (Linux): command lines (a
 * language server started from a script shows up as {@code python3 /usr/bin/pylsp}), environments,
 * and the agents and language servers a test's SSH server started.
 */
public final class Processes {
  private Processes() {
  }

  /** The java executable running these tests (JDK 17+), also used for the CLI. */
  public static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** The full command line, arguments separated by spaces; empty if the process is gone or hidden. */
  public static String commandLine(ProcessHandle process) {
    return proc(process, "cmdline").replace('\0', ' ').strip();
  }

  /** The environment as {@code NAME=VALUE} entries. */
  public static Set<String> environment(ProcessHandle process) {
    String raw = proc(process, "environ");
    return raw.isEmpty() ? Set.of() : Set.of(raw.split("\0")).stream().collect(Collectors.toUnmodifiableSet());
  }

  private static String proc(ProcessHandle process, String file) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(process.pid()), file), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Tether agents ({@code tether-remote.jar stdio}) among the descendants of {@code root}. */
  public static List<ProcessHandle> agentsUnder(ProcessHandle root) {
    return root.descendants().filter(p -> commandLine(p).matches(".*tether-remote\\.jar stdio\\b.*")).toList();
  }

  /**
   * The agent daemons ({@code tether-remote daemon}, started by an agent relay and detached from it)
   * that {@code server}'s sessions started: the processes that own the language servers and debug
   * adapters. Found by what each inherited from its session, read from {@code /proc/PID/environ} of
   * processes of this user only: the HOME of an in-process MINA server (a temp directory of its own),
   * or the server port in OpenSSH's {@code SSH_CONNECTION}. Never the daemons of another test or
   * another run on this machine, which may be running at the same time.
   */
  public static List<ProcessHandle> agentDaemonsOf(SshServerFixture server) {
    String marker = server instanceof MinaSshServer mina ? "HOME=" + mina.home() : null;
    return ProcessHandle.allProcesses()
        .filter(Processes::ownedByThisUser)
        .filter(p -> commandLine(p).contains("dev.tether.remote.TetherRemote daemon "))
        .filter(p -> marker != null ? environment(p).contains(marker) : TestProcesses.sshServerPort(p) == server.port())
        .toList();
  }

  /** True for a process of the user running the tests (whose environment this user may read). */
  static boolean ownedByThisUser(ProcessHandle process) {
    try {
      Object mine = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return mine.equals(Files.getAttribute(Path.of("/proc", Long.toString(process.pid())), "unix:uid"));
    } catch (IOException | RuntimeException gone) {
      return false;
    }
  }

  /** pylsp and clangd processes whose parent chain includes one of {@code agents}. */
  public static List<ProcessHandle> languageServersUnder(List<ProcessHandle> agents) {
    List<ProcessHandle> servers = new ArrayList<>();
    for (ProcessHandle agent : agents) {
      agent.descendants().filter(Processes::isLanguageServer).filter(p -> !servers.contains(p)).forEach(servers::add);
    }
    return servers;
  }

  public static boolean isLanguageServer(ProcessHandle process) {
    String line = commandLine(process);
    return line.matches("(.*/)?clangd( .*)?") || line.matches(".*python3[.0-9]* (.*/)?pylsp( .*)?|(.*/)?pylsp( .*)?");
  }

  /** Waits (polling, with a deadline) for {@code process} to exit; true if it did. */
  public static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return !process.isAlive();
    }
  }

  /** The processes in {@code processes} still alive after waiting up to {@code timeout} for each. */
  public static List<ProcessHandle> survivors(List<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> alive = new ArrayList<>();
    for (ProcessHandle p : processes) {
      long left = Math.max(1, deadline - System.nanoTime());
      if (!awaitExit(p, Duration.ofNanos(left))) {
        alive.add(p);
      }
    }
    return alive;
  }

  public static String describe(List<ProcessHandle> processes) {
    return processes.stream().map(p -> p.pid() + " " + commandLine(p)).collect(Collectors.joining("; ", "[", "]"));
  }

  /** Ends a process and its descendants by pid: TERM, then KILL for whatever is left after 5 s. */
  public static void endTree(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(root);
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : all) {
      if (!awaitExit(p, Duration.ofSeconds(5))) {
        p.destroyForcibly();
      }
    }
  }
}
