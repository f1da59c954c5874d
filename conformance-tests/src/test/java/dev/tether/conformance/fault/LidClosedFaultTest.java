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
  private static final Duration LID_CLOSED = Duration.ofSeconds(60);
  private static final Duration RESUMED_WITHIN = Duration.ofSeconds(60);

  @Test
  void theDaemonStoppedFor60SecondsResumesAndTheNextRequestWorks() throws Exception {
    Requirements.languageServers();
    Path base = Files.createTempDirectory("tether-fault-lid-");
    ProcessHandle daemon = null;
    try (FaultHost host = FaultHost.onLoopback(base.resolve("host"));
        TetherCli tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"))) {
      Path sshConfig = EditorPair.sshConfig(base, host, host.address(), host.port());
      assertEquals(0, tether.run("exec", EditorPair.ALIAS, "-F", sshConfig.toString(), "--", "true").exit(),
          "the first command");
      EditorPair editors = EditorPair.start(tether, base, sshConfig, RESUMED_WITHIN);
      List<ProcessHandle> servers = host.languageServers();
      assertEquals(1, servers.size(), "pylsp: " + servers);

      daemon = tether.daemon().orElseThrow();
      signal("STOP", daemon);
      long lidOpens = System.nanoTime() + LID_CLOSED.toNanos();
      EditorPair.awaitDeadline(lidOpens); // the minute the lid stays closed: the scenario itself
      signal("CONT", daemon);

      editors.project.assertHoverWorks(editors.pylsp.editor()); // answered within LspEditor's 60 s
      editors.awaitEchoes(20, RESUMED_WITHIN);
      editors.stream.finish(RESUMED_WITHIN);
      assertTrue(daemon.isAlive(), "the same daemon goes on");
      assertEquals(servers, host.languageServers(), "the same pylsp, and no other");
      editors.shutDown();
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
}
