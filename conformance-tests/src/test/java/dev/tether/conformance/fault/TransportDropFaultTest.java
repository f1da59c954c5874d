package dev.tether.conformance.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.net.CutProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport dropped 100 times under steady traffic: LSP messages through {@code tether lsp}, a
 * byte stream through {@code tether exec}, a terminal through {@code tether shell} (under a local PTY,
 * so a PTY on the host too), and file writes and reads through {@code tether fs}, all on one session to a real OpenSSH sshd reached
 * through a {@link CutProxy}, which resets the SSH connection each time. Every stream carries
 * sequence numbers that the host records and echoes: after the last drop the host got each number
 * once and in order, and so did the local side. The editor is told of each drop and each resume.
 */
@Tag("fault")
@Timeout(value = 600, unit = java.util.concurrent.TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransportDropFaultTest {
  static final int DROPS = 100;
  private static final String ALIAS = "fault-host";
  private static final Duration RESUMED_WITHIN = Duration.ofSeconds(30);
  private static final Duration DRAIN_WITHIN = Duration.ofSeconds(60);

  @Test
  void aHundredDropsUnderTrafficLoseDuplicateAndReorderNothing() throws Exception {
    Path base = Files.createTempDirectory("tether-fault-drop-");
    boolean keep = false;
    SeqStreams.TerminalStream terminal = null;
    try (FaultHost host = FaultHost.onLoopback(base.resolve("host"));
        CutProxy proxy = CutProxy.to(host.address(), host.port());
        TetherCli tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"))) {
      Path sshConfig = base.resolve("ssh_config");
      Files.writeString(sshConfig, String.join("\n", host.hostConfig(ALIAS, "127.0.0.1", proxy.port(),
          base.resolve("known_hosts"))));
      List<String> destination = List.of(ALIAS, "-F", sshConfig.toString());
      Path work = Files.createDirectories(base.resolve("work"));
      Path echo = SeqStreams.writeEchoServer(work);
      TetherCli.Result first = tether.run("exec", ALIAS, "-F", sshConfig.toString(), "--", "true");
      assertEquals(0, first.exit(), "the first command (a daemon and a session): " + first);

      TetherCli.LspProcess cli = tether.lsp(work, List.of(ALIAS, "-F", sshConfig.toString(), "--",
          "/usr/bin/python3", echo.toString(), work.resolve("lsp.record").toString()));
      SeqStreams.LspStream lsp = new SeqStreams.LspStream(cli, work.resolve("lsp.record"));
      terminal = SeqStreams.TerminalStream.start(tether, work, destination);
      List<SeqStreams.Stream> streams = List.of(lsp,
          new SeqStreams.LineStream("exec", tether.startPiped(work, "exec", ALIAS, "-F", sshConfig.toString(), "--",
              "tee " + work.resolve("exec.record")), work.resolve("exec.record")),
          terminal,
          new SeqStreams.FileStream(tether, destination, work.resolve("files")));
      awaitFlowing(streams);

      for (int drop = 1; drop <= DROPS; drop++) {
        int cut = proxy.cut();
        assertEquals(1, cut, "drop " + drop + ": connections through the proxy (one session for every command)");
        awaitReconnected(lsp, drop);
        // The streams of long-lived commands flow after every drop; the file stream (a JVM per put
        // and per cat) every tenth, so the test stays short.
        awaitFlowing(drop % 10 == 0 ? streams : streams.subList(0, 3));
      }

      for (SeqStreams.Stream stream : streams) {
        stream.finish(DRAIN_WITHIN);
      }
      assertEquals(DROPS + 1, proxy.accepted(), "SSH connections: the first and one per drop");
      JsonObject shutdown = cli.editor().request("shutdown", null);
      assertTrue(shutdown.has("result"), shutdown.toString());
      cli.editor().notify("exit", null);
      assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "tether lsp; stderr: " + cli.stderrText());
      assertEquals(List.of(), cli.editor().violations(), "stdout carries only LSP frames");
      lsp.countEchoes();
      long lost = lsp.shown.stream().filter(m -> m.endsWith("; reconnecting")).count();
      assertEquals(DROPS, lost, "the editor is told of each drop: " + lsp.shown);
      long shown = terminal.notices.stream().filter(m -> m.endsWith("; reconnecting")).count();
      assertEquals(DROPS, shown, "the terminal's user is told of each drop: " + terminal.notices);
      for (String message : lsp.shown) {
        assertTrue(message.matches("tether: (connection to \\S+ lost \\((the transport ended \\(ssh \\S+\\)"
            + "|the connection broke while (sending|receiving))\\); reconnecting|reconnected to \\S+; nothing was lost)"),
            "a notice in words for the editor, without the SSH library's internals: " + message);
      }
    } catch (Throwable failed) {
      keep = true; // the daemon's and the agent's logs tell what happened
      throw new AssertionError(failed.getMessage() + " (logs kept in " + base + ")", failed);
    } finally {
      if (terminal != null) {
        terminal.end();
      }
      if (!keep) {
        FaultHost.deleteTree(base);
      }
    }
  }

  /** Waits (deadline-bounded) until the editor was told of {@code n} resumes. */
  private static void awaitReconnected(SeqStreams.LspStream lsp, int n) throws InterruptedException {
    long deadline = System.nanoTime() + RESUMED_WITHIN.toNanos();
    while (true) {
      lsp.countEchoes();
      long told = lsp.shown.stream().filter(m -> m.contains("reconnected")).count();
      if (told >= n) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "drop " + n + ": the editor was not told of a resume within "
          + RESUMED_WITHIN.toSeconds() + " s; it was shown: " + lsp.shown);
      Thread.sleep(10); // polls what the editor received, bounded by the deadline
    }
  }

  /** Waits until every stream made progress (deadline-bounded), and that none failed. */
  private static void awaitFlowing(List<SeqStreams.Stream> streams) throws InterruptedException {
    int[] before = streams.stream().mapToInt(s -> s.echoed.get()).toArray();
    long deadline = System.nanoTime() + RESUMED_WITHIN.toNanos();
    for (int i = 0; i < streams.size(); i++) {
      SeqStreams.Stream stream = streams.get(i);
      while (stream.echoed.get() <= before[i] && stream.failure.get() == null) {
        if (stream instanceof SeqStreams.LspStream lsp) {
          lsp.countEchoes();
        }
        assertTrue(System.nanoTime() < deadline, "no progress within " + RESUMED_WITHIN.toSeconds() + " s: "
            + streams.stream().map(SeqStreams.Stream::status).toList());
        Thread.sleep(10); // polls the streams' counters, bounded by the deadline
      }
      assertEquals(null, stream.failure.get(), stream.status());
    }
    assertTrue(streams.stream().allMatch(s -> s.failure.get() == null),
        streams.stream().map(SeqStreams.Stream::status).toList().toString());
  }
}
