package dev.tether.local.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelResetException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's splice between a command's channel and the host's, over two in-memory sessions as in
 * the daemon (command ⇄ daemon, daemon ⇄ agent): bytes both ways, ends, and resets in either direction,
 * also while one direction is stalled on a full window.
 */
class SpliceTest {
  private final LinkedBlockingQueue<Channel> daemonSide = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<Channel> agentSide = new LinkedBlockingQueue<>();
  private Session command;
  private Session daemonToAgent;
  private Channel editor;
  private Channel agent;

  @BeforeEach
  void spliceOneChannel() throws Exception {
    command = connect(daemonSide);
    daemonToAgent = connect(agentSide);
    editor = command.open("x", ChannelFlavour.BYTES, "");
    Channel local = daemonSide.poll(10, TimeUnit.SECONDS);
    Channel remote = daemonToAgent.open("x", ChannelFlavour.BYTES, "");
    agent = agentSide.poll(10, TimeUnit.SECONDS);
    Splice.join(local, remote, "test");
  }

  @AfterEach
  void close() {
    command.close();
    daemonToAgent.close();
  }

  private static Session connect(LinkedBlockingQueue<Channel> accepted) throws Exception {
    InMemoryTransport.Link link = InMemoryTransport.pair();
    SessionRegistry registry = new SessionRegistry(SessionConfig.defaults().withAcceptor(request -> accepted.add(request.accept())));
    CompletableFuture<Session> acceptor = CompletableFuture.supplyAsync(() -> {
      try {
        return registry.accept(link.acceptor());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Session initiator = Session.connect(link.initiator(), SessionConfig.defaults());
    acceptor.get(10, TimeUnit.SECONDS);
    return initiator;
  }

  @Test
  void bytesAndEndsCrossBothWays() throws Exception {
    byte[] big = new byte[8 * 1024 * 1024 + 17]; // several windows' worth: the splice must wait and go on
    new Random(7).nextBytes(big);
    CompletableFuture<byte[]> atAgent = CompletableFuture.supplyAsync(() -> readAll(agent));
    editor.write(big, 0, big.length);
    editor.halfClose();
    assertArrayEquals(big, atAgent.get(30, TimeUnit.SECONDS), "what the agent read");

    agent.write("answer".getBytes(StandardCharsets.UTF_8), 0, 6);
    agent.halfClose();
    assertEquals("answer", new String(readAll(editor), StandardCharsets.UTF_8));
  }

  /** As {@code tether exec host -- yes | head -1}: the editor ended its own direction long before. */
  @Test
  void aResetOfTheReaderReachesAWriterStalledOnItsWindow() throws Exception {
    editor.halfClose();
    assertEquals(-1, agent.read(new byte[1], 0, 1), "the editor's end of stream, through the splice");
    byte[] chunk = new byte[64 * 1024];
    CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
      try {
        while (true) {
          agent.write(chunk, 0, chunk.length); // nobody reads: windows fill up on both sessions
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertThrows(java.util.concurrent.TimeoutException.class, () -> writing.get(500, TimeUnit.MILLISECONDS),
        "the writer should be stalled by flow control");
    editor.reset(ErrorCode.CANCELLED, "the reader went away");
    ExecutionException failed = assertThrows(ExecutionException.class, () -> writing.get(10, TimeUnit.SECONDS));
    assertTrue(String.valueOf(failed.getCause().getMessage()).contains("the reader went away"),
        "the agent's write fails with the editor's reason: " + failed.getCause());
  }

  @Test
  void aResetOfTheSourceReachesTheOtherSide() throws Exception {
    agent.reset(ErrorCode.SERVICE_ERROR, "the server exited with status 3");
    ChannelResetException reset = assertThrows(ChannelResetException.class, () -> editor.read(new byte[1], 0, 1));
    assertEquals(ErrorCode.SERVICE_ERROR, reset.code());
    assertTrue(reset.getMessage().contains("the server exited with status 3"), reset.getMessage());
  }

  private static byte[] readAll(Channel channel) {
    try {
      return channel.inputStream().readAllBytes();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
