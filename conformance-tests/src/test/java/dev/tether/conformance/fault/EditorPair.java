package dev.tether.conformance.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.TetherCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The two editors the lid and network fault tests keep working across their fault: one on pylsp over
 * a Python project (its hover is the "next request works" check) and one running a sequence-numbered
 * LSP echo stream on the host (its record shows nothing lost, duplicated or reordered). Both go
 * through {@code tether lsp} to the test's {@link FaultHost} under the alias {@link #ALIAS}.
 */
final class EditorPair {
  static final String ALIAS = "fault-host";

  final PyProject project;
  final TetherCli.LspProcess pylsp;
  final TetherCli.LspProcess echo;
  final SeqStreams.LspStream stream;

  private EditorPair(PyProject project, TetherCli.LspProcess pylsp, TetherCli.LspProcess echo,
      SeqStreams.LspStream stream) {
    this.project = project;
    this.pylsp = pylsp;
    this.echo = echo;
    this.stream = stream;
  }

  /** Writes {@code base/ssh_config} naming {@code host} as {@link #ALIAS}, reached at {@code address:port}. */
  static Path sshConfig(Path base, FaultHost host, String address, int port) throws IOException {
    Path sshConfig = base.resolve("ssh_config");
    Files.writeString(sshConfig, String.join("\n", host.hostConfig(ALIAS, address, port,
        base.resolve("known_hosts"))));
    return sshConfig;
  }

  /**
   * Starts both editors under {@code base} (project/ and work/): pylsp with the project opened and a
   * hover answered, then the echo stream, once 20 echoes came back within {@code within}.
   */
  static EditorPair start(TetherCli tether, Path base, Path sshConfig, Duration within) throws Exception {
    PyProject project = PyProject.write(base.resolve("project"));
    TetherCli.LspProcess pylsp = tether.lsp(project.dir(), List.of(ALIAS, "-F", sshConfig.toString(),
        "--map", project.dir() + "=" + project.dir(), "--server", "pylsp"));
    project.open(pylsp.editor());
    Path work = Files.createDirectories(base.resolve("work"));
    Path server = SeqStreams.writeEchoServer(work);
    TetherCli.LspProcess echo = tether.lsp(work, List.of(ALIAS, "-F", sshConfig.toString(), "--",
        "/usr/bin/python3", server.toString(), work.resolve("lsp.record").toString()));
    EditorPair pair = new EditorPair(project, pylsp, echo, new SeqStreams.LspStream(echo, work.resolve("lsp.record")));
    pair.awaitEchoes(20, within);
    return pair;
  }

  /** Waits for {@code more} further echoes on the stream, failing after {@code within}. */
  void awaitEchoes(int more, Duration within) throws InterruptedException {
    int target = stream.countEchoes() + more;
    long deadline = System.nanoTime() + within.toNanos();
    while (stream.countEchoes() < target) {
      assertTrue(System.nanoTime() < deadline && stream.failure.get() == null, "no echoes: " + stream.status());
      Thread.sleep(20); // polls what the editor received, bounded by the deadline
    }
  }

  /** Both editors shut their servers down; each command exits 0 having written only LSP to stdout. */
  void shutDown() throws Exception {
    for (TetherCli.LspProcess cli : List.of(pylsp, echo)) {
      cli.editor().call("shutdown", null);
      cli.editor().notify("exit", null);
      assertEquals(0, cli.awaitExit(TetherCli.EXIT_TIMEOUT), "stderr: " + cli.stderrText());
      assertEquals(List.of(), cli.editor().violations(), "stdout carries only LSP frames");
    }
  }

  /** Waits until {@code deadline} (System.nanoTime): how long a scenario's outage lasts. */
  static void awaitDeadline(long deadline) throws InterruptedException {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, left / 1_000_000));
    }
  }
}
