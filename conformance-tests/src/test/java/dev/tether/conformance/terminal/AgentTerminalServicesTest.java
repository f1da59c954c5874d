package dev.tether.conformance.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.exec.ExecClient;
import dev.tether.adapters.exec.ExecService.StartParams;
import dev.tether.adapters.terminal.TerminalClient;
import dev.tether.adapters.terminal.TerminalService.CreateParams;
import dev.tether.conformance.lsp.Processes;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.transport.InMemoryTransport;
import dev.tether.remote.Agent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's terminal and exec services through the real agent over an in-memory session (real
 * processes and PTYs on this machine): what a custom client sees when it asks for something wrong,
 * and that processes do not outlive the client that started them.
 */
class AgentTerminalServicesTest {
  private Session session;

  @BeforeEach
  void connect() throws Exception {
    Agent agent = new Agent(null, ServerCatalog.builtIn(), SessionListener.NONE, Duration.ofMinutes(1));
    InMemoryTransport.Link link = InMemoryTransport.pair();
    CompletableFuture<Session> accepted = CompletableFuture.supplyAsync(() -> {
      try {
        return agent.registry().accept(link.acceptor());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    session = Session.connect(link.initiator(), SessionConfig.defaults().withName("client"));
    accepted.get();
  }

  @AfterEach
  void close() {
    session.close();
  }

  @Test
  void unknownTerminalsBadSizesAndSignalsAreRefusedWithReasons() throws Exception {
    try (TerminalClient terminals = TerminalClient.open(session::open)) {
      ChannelOpenException attach = assertThrows(ChannelOpenException.class, () -> terminals.attach("t999"));
      assertTrue(attach.getMessage().contains("no terminal 't999'"), attach.getMessage());

      CreateParams params = new CreateParams();
      params.argv = List.of("/bin/sh", "-c", "sleep 600");
      String id = terminals.create(params).id;
      IOException size = assertThrows(IOException.class, () -> terminals.resize(id, 0, 24));
      assertTrue(size.getMessage().contains("bad terminal size 0x24"), size.getMessage());
      IOException signal = assertThrows(IOException.class, () -> terminals.kill(id, "NOPE"));
      assertTrue(signal.getMessage().contains("unknown signal 'NOPE'"), signal.getMessage());

      terminals.kill(id, "KILL");
      assertEquals(128 + 9, terminals.awaitExit(id), "a terminal ended by SIGKILL");
    }
  }

  @Test
  void badMetadataAndDoubleStreamsAreRefused() throws Exception {
    ChannelOpenException metadata = assertThrows(ChannelOpenException.class,
        () -> session.open(ChannelKinds.EXEC_IO, ChannelFlavour.BYTES, "{}"));
    assertTrue(metadata.getMessage().contains("exec.io needs metadata"), metadata.getMessage());
    try (ExecClient exec = ExecClient.open(session::open)) {
      ExecClient.ExecProcess process = exec.shell("cat");
      ChannelOpenException twice = assertThrows(ChannelOpenException.class, () -> session.open(ChannelKinds.EXEC_IO,
          ChannelFlavour.BYTES, "{\"id\": \"" + process.id() + "\", \"stream\": \"stdout\"}"));
      assertTrue(twice.getMessage().contains("already attached"), twice.getMessage());
      StartParams missing = new StartParams();
      missing.argv = List.of("/no/such/program");
      IOException start = assertThrows(IOException.class, () -> exec.start(missing));
      assertTrue(start.getMessage().contains("cannot start [/no/such/program]"), start.getMessage());
    }
  }

  @Test
  void argvEnvironmentAndDirectoryAreHonoured() throws Exception {
    try (ExecClient exec = ExecClient.open(session::open)) {
      StartParams params = new StartParams();
      params.argv = List.of("/bin/sh", "-c", "echo \"$GREETING\"; pwd; echo oops >&2; exit 6");
      params.env = Map.of("GREETING", "hello there");
      params.cwd = "/";
      ExecClient.ExecProcess process = exec.start(params);
      process.closeStdin();
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.stderr()));
      assertEquals("hello there\n/\n", new String(process.stdout().readAllBytes(), StandardCharsets.UTF_8));
      assertEquals("oops\n", new String(err.get(), StandardCharsets.UTF_8));
      assertEquals(6, process.waitFor());
    }
  }

  @Test
  void processesEndWithTheClientThatStartedThem() throws Exception {
    long pid;
    try (ExecClient exec = ExecClient.open(session::open)) {
      StartParams params = new StartParams();
      params.argv = List.of("sleep", "600");
      pid = exec.start(params).pid();
    }
    ProcessHandle sleep = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("sleep is not running"));
    assertTrue(Processes.awaitExit(sleep, Duration.ofSeconds(30)), "the process must end with its exec channel");
  }

  private static byte[] readAll(java.io.InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
