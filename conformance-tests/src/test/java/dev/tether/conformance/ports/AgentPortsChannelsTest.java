package dev.tether.conformance.ports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.transport.InMemoryTransport;
import dev.tether.remote.Agent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's port channels spoken directly, as a custom client or a second implementation would:
 * the real agent over an in-memory transport, real sockets on 127.0.0.1. The refusals a person reads
 * and the reverse-forward handshake ({@code tcp.listen} → {@code tcp/accepted} → {@code tcp.accepted}).
 */
class AgentPortsChannelsTest {
  private Session session;

  @BeforeEach
  void connect() throws Exception {
    Agent agent = new Agent(null, ServerCatalog.load(), SessionListener.NONE, Duration.ofMinutes(1));
    InMemoryTransport.Link link = InMemoryTransport.pair();
    CompletableFuture<Session> accepted = CompletableFuture.supplyAsync(() -> {
      try {
        return agent.registry().accept(link.acceptor());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    session = Session.connect(link.initiator(), SessionConfig.defaults().withName("test client"));
    accepted.get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    session.close(ErrorCode.NO_ERROR, "test done");
  }

  @Test
  void badMetadataIsRefusedWithWhatToSend() {
    ChannelOpenException e = assertThrows(ChannelOpenException.class,
        () -> session.open(ChannelKinds.TCP_CONNECT, ChannelFlavour.BYTES, "{\"port\": 0}"));
    assertEquals(ErrorCode.CHANNEL_REFUSED, e.code());
    assertTrue(e.getMessage().startsWith("tcp.connect needs metadata {\"port\": 1-65535}"), e.getMessage());
    e = assertThrows(ChannelOpenException.class,
        () -> session.open(ChannelKinds.TCP_ACCEPTED, ChannelFlavour.BYTES, "{\"listener\": \"nope\", \"connection\": 1}"));
    assertEquals(ErrorCode.SERVICE_ERROR, e.code());
    assertTrue(e.getMessage().contains("no reverse-forward listener nope on the host"), e.getMessage());
  }

  @Test
  void listeningOnABusyPortSaysItIsInUse() throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      ChannelOpenException e = assertThrows(ChannelOpenException.class, () -> session.open(ChannelKinds.TCP_LISTEN,
          ChannelFlavour.MESSAGES, "{\"port\": " + busy.getLocalPort() + "}"));
      assertEquals(ErrorCode.SERVICE_ERROR, e.code());
      assertEquals("cannot listen on 127.0.0.1:" + busy.getLocalPort() + " on the host: the port is in use there "
          + "(see 'tether ports')", e.getMessage());
    }
  }

  @Test
  void aReverseConnectionIsAnnouncedClaimedOnceAndCarriesBytesBothWays() throws Exception {
    Channel listen = session.open(ChannelKinds.TCP_LISTEN, ChannelFlavour.MESSAGES, "{\"port\": 0}");
    JsonObject ok = JsonParser.parseString(listen.acceptMetadata()).getAsJsonObject();
    assertEquals("127.0.0.1", ok.get("host").getAsString(), "loopback by default");
    int port = ok.get("port").getAsInt();
    try (Socket client = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
      JsonObject note = JsonParser.parseString(new String(listen.readMessage(), StandardCharsets.UTF_8)).getAsJsonObject();
      assertEquals("2.0", note.get("jsonrpc").getAsString());
      assertEquals("tcp/accepted", note.get("method").getAsString());
      assertEquals(1, note.getAsJsonObject("params").get("connection").getAsInt());
      assertEquals("127.0.0.1:" + client.getLocalPort(), note.getAsJsonObject("params").get("peer").getAsString());

      String claim = "{\"listener\": \"" + ok.get("listener").getAsString() + "\", \"connection\": 1}";
      Channel bytes = session.open(ChannelKinds.TCP_ACCEPTED, ChannelFlavour.BYTES, claim);
      ChannelOpenException twice = assertThrows(ChannelOpenException.class,
          () -> session.open(ChannelKinds.TCP_ACCEPTED, ChannelFlavour.BYTES, claim));
      assertTrue(twice.getMessage().contains("connection 1 on port " + port + " is gone (already claimed"), twice.getMessage());

      client.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
      client.shutdownOutput();
      assertArrayEquals("ping".getBytes(StandardCharsets.UTF_8), bytes.inputStream().readAllBytes(),
          "the client's bytes, then end of stream (its half-close)");
      bytes.write("pong".getBytes(StandardCharsets.UTF_8), 0, 4);
      bytes.halfClose();
      assertArrayEquals("pong".getBytes(StandardCharsets.UTF_8), client.getInputStream().readAllBytes());
    }
    listen.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try (Socket late = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
        assertTrue(System.nanoTime() < deadline, "the host still listens on " + port + " after tcp.listen was closed");
        Thread.sleep(100); // the agent closes the listener when it reads the end of the channel
      } catch (java.net.ConnectException refused) {
        break;
      }
    }
  }
}
