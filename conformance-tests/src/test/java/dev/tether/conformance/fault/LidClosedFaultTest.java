package dev.tether.conformance.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.Requirements;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.net.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A laptop lid closed for a minute: the local daemon is stopped (SIGSTOP) for 60 s while two editors
 * use it, then continued (SIGCONT). The host gives the silent peer up meanwhile; once awake, the
 * daemon resumes the session (over the same or a new connection), the same daemon and the same
 * pylsp answer the editor's next request, and a sequence-numbered stream that was running lost,
 * duplicated and reordered nothing.
 */
@Tag("fault")
@Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LidClosedFaultTest {
  private static final String ALIAS = "fault-host";
  private static final Duration LID_CLOSED = Duration.ofSeconds(60);
  private static final Duration RESUMED_WITHIN = Duration.ofSeconds(60);

  @Test
  void theDaemonStoppedFor60SecondsResumesAndTheNextRequestWorks() throws Exception {
    Requirements.languageServers();
    Path base = Files.createTempDirectory("tether-fault-lid-");
    ProcessHandle daemon = null;
    try (FaultHost host = FaultHost.onLoopback(base.resolve("host"));
        TetherCli tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"))) {
      Path sshConfig = base.resolve("ssh_config");
      Files.writeString(sshConfig, String.join("\n", host.hostConfig(ALIAS, host.address(), host.port(),
          base.resolve("known_hosts"))));
      assertEquals(0, tether.run("exec", ALIAS, "-F", sshConfig.toString(), "--", "true").exit(), "the first command");
      PyProject project = PyProject.write(base.resolve("project"));
      TetherCli.LspProcess pylsp = tether.lsp(project.dir(), List.of(ALIAS, "-F", sshConfig.toString(),
          "--map", project.dir() + "=" + project.dir(), "--server", "pylsp"));
      project.open(pylsp.editor());
      List<ProcessHandle> servers = host.languageServers();
      assertEquals(1, servers.size(), "pylsp: " + servers);
      Path work = Files.createDirectories(base.resolve("work"));
      Path echo = SeqStreams.writeEchoServer(work);
      TetherCli.LspProcess echoCli = tether.lsp(work, List.of(ALIAS, "-F", sshConfig.toString(), "--",
          "/usr/bin/python3", echo.toString(), work.resolve("lsp.record").toString()));
      SeqStreams.LspStream stream = new SeqStreams.LspStream(echoCli, work.resolve("lsp.record"));
      awaitEchoes(stream, 20);

      daemon = tether.daemon().orElseThrow();
      signal("STOP", daemon);
      long lidOpens = System.nanoTime() + LID_CLOSED.toNanos();
      NetworkPathFaultTest.awaitDeadline(lidOpens); // the minute the lid stays closed: the scenario itself
      signal("CONT", daemon);

      project.assertHoverWorks(pylsp.editor()); // the editor's next request, answered within LspEditor's 60 s
      awaitEchoes(stream, 20);
      stream.finish(RESUMED_WITHIN);
      assertTrue(daemon.isAlive(), "the same daemon goes on");
      assertEquals(servers, host.languageServers(), "the same pylsp, and no other");
      for (TetherCli.LspProcess cli : List.of(pylsp, echoCli)) {
        cli.editor().call("shutdown", null);
        cli.editor().notify("exit", null);
        assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "stderr: " + cli.stderrText());
        assertEquals(List.of(), cli.editor().violations(), "stdout carries only LSP frames");
      }
    } finally {
      if (daemon != null && daemon.isAlive()) {
        signal("CONT", daemon); // never leave a stopped process behind
      }
      FaultHost.deleteTree(base);
    }
  }

  private static void signal(String name, ProcessHandle process) throws Exception {
    NetNamespace.run("kill", "-" + name, Long.toString(process.pid()));
  }

  private static void awaitEchoes(SeqStreams.LspStream stream, int more) throws InterruptedException {
    int target = stream.countEchoes() + more;
    long deadline = System.nanoTime() + RESUMED_WITHIN.toNanos();
    while (stream.countEchoes() < target) {
      assertTrue(System.nanoTime() < deadline && stream.failure.get() == null, "no echoes: " + stream.status());
      Thread.sleep(20); // polls what the editor received, bounded by the deadline
    }
  }
}
