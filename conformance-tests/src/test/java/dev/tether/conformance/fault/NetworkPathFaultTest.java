package dev.tether.conformance.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.LspEditor;
import dev.tether.conformance.lsp.Requirements;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.net.CutProxy;
import dev.tether.local.net.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bad network, for real: the host's sshd runs in a network namespace this test makes, reached over
 * a veth pair on addresses of its own, through a proxy that adds 100 ms each way (200 ms round
 * trip), with 5 % of the packets in and out of the namespace dropped by the kernel. pylsp answers
 * the editor there. Then the path goes black for 30 s (every packet dropped, nothing reset): the
 * session is found dead, the editor told, and when the path returns the session is resumed, the
 * same editors go on, and a sequence-numbered stream that ran throughout lost, duplicated and
 * reordered nothing.
 */
@Tag("fault")
@Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NetworkPathFaultTest {
  private static final Duration BLACKHOLE = Duration.ofSeconds(30);
  private static final Duration TOLD_WITHIN = Duration.ofSeconds(60);

  @Test
  void lspWorksOverLatencyAndLossAndResumesAfterA30SecondBlackhole() throws Exception {
    Requirements.languageServers();
    Path base = Files.createTempDirectory("tether-fault-net-");
    try (NetNamespace ns = NetNamespace.create();
        FaultHost host = FaultHost.inNamespace(base.resolve("host"), ns.name, ns.inside);
        CutProxy path = CutProxy.delaying(ns.inside, host.port());
        TetherCli tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"))) {
      Path sshConfig = EditorPair.sshConfig(base, host, "127.0.0.1", path.port());
      // The agent is installed over a clean path; the rest happens over the bad one.
      TetherCli.Result first = tether.run("exec", EditorPair.ALIAS, "-F", sshConfig.toString(), "--", "true");
      assertEquals(0, first.exit(), "the first command (a daemon, a session, the agent installed): " + first);
      path.delay(100);
      ns.loss(5);

      EditorPair editors = EditorPair.start(tether, base, sshConfig, TOLD_WITHIN); // over 200 ms and 5 % loss

      ns.blackhole();
      long blackholeEnds = System.nanoTime() + BLACKHOLE.toNanos();
      LspEditor editor = editors.pylsp.editor();
      editor.awaitNotification("window/showMessage", m -> message(m).contains("lost"), BLACKHOLE);
      assertTrue(System.nanoTime() < blackholeEnds, "the dead session was found while the path was black");
      EditorPair.awaitDeadline(blackholeEnds); // the rest of the 30 s outage: the scenario itself
      ns.loss(5);

      editor.awaitNotification("window/showMessage", m -> message(m).contains("reconnected"), TOLD_WITHIN);
      editors.project.assertHoverWorks(editor);
      editors.awaitEchoes(20, TOLD_WITHIN);
      editors.stream.finish(TOLD_WITHIN);
      assertTrue(editors.stream.shown.stream().anyMatch(m -> m.contains("reconnected")),
          "the other editor too: " + editors.stream.shown);
      editors.shutDown();
    } finally {
      FaultHost.deleteTree(base);
    }
  }

  private static String message(com.google.gson.JsonObject notification) {
    return notification.getAsJsonObject("params").get("message").getAsString();
  }
}
