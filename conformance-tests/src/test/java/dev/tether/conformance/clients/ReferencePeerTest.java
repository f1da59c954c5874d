package dev.tether.conformance.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.local.TetherException;
import dev.tether.local.conformance.Peer;
import dev.tether.local.conformance.RawFrames;
import dev.tether.local.conformance.RawFrames.Frame;
import dev.tether.local.conformance.peer.ReferencePeer;
import dev.tether.local.conformance.peer.Scenario;
import dev.tether.local.conformance.peer.Verdict;
import dev.tether.local.ws.WsConnector;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether conformance peer} ({@link ReferencePeer}) against the project's own client, the mux
 * {@link Session} over the daemon's real WebSocket connector: for every scenario the reference client
 * does what PROTOCOL.md asks, and the peer says PASS. This proves the peer's scripts and judgements
 * before a second implementation is judged by them. Also: the peer's endpoint refuses what the agent's
 * refuses (no token, a wrong token, a foreign Origin) and listens on loopback only.
 */
class ReferencePeerTest {
  @TempDir
  Path dir;

  private final BlockingQueue<Verdict> verdicts = new LinkedBlockingQueue<>();
  private final List<Session> sessions = new ArrayList<>();
  private ReferencePeer peer;
  private String token;

  @BeforeEach
  void startPeer() throws IOException {
    Path tokenFile = dir.resolve("token");
    ConnectionToken connectionToken = ConnectionToken.loadOrCreate(tokenFile);
    token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
    peer = ReferencePeer.start(new ReferencePeer.Settings("127.0.0.1", 0, List.of(), List.of(Scenario.NORMAL)),
        connectionToken, verdicts::add);
  }

  @AfterEach
  void stopPeer() {
    for (Session session : sessions) {
      session.close();
    }
    peer.close();
  }

  private String url(Scenario scenario) {
    return peer.url() + "scenario/" + scenario.label();
  }

  private Session connect(Scenario scenario, SessionConfig config) throws IOException {
    WsConnector.Connected connected = WsConnector.connect(url(scenario), new WsConnector.Credentials(token, null));
    Session session = Session.connect(connected.transport(), config);
    sessions.add(session);
    return session;
  }

  private Verdict nextVerdict() throws InterruptedException {
    Verdict verdict = verdicts.poll(60, TimeUnit.SECONDS);
    if (verdict == null) {
      throw new AssertionError("the peer gave no verdict within 60 s");
    }
    return verdict;
  }

  private void assertPass(Scenario scenario) throws InterruptedException {
    Verdict verdict = nextVerdict();
    assertEquals(Verdict.Outcome.PASS, verdict.outcome(), verdict.line());
    assertEquals(scenario.label(), verdict.scenario(), verdict.line());
  }

  private static byte[] readAll(Channel channel) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[65536];
    for (int n; (n = channel.read(buffer, 0, buffer.length)) >= 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** The session goes on after a channel error: a second channel is echoed by the scripted peer. */
  private static void assertEchoes(Session session) throws IOException {
    Channel echo = session.open("echo", ChannelFlavour.BYTES, "");
    echo.write("still here".getBytes(StandardCharsets.UTF_8), 0, 10);
    echo.halfClose();
    assertEquals("still here", new String(readAll(echo), StandardCharsets.UTF_8));
  }

  @Test
  void anOverrunIsAnsweredWithFlowControlErrorAndTheSessionGoesOn() throws Exception {
    Session session = connect(Scenario.OVERRUN, SessionConfig.defaults().withInitialWindow(4096));
    Channel channel = session.open("subject", ChannelFlavour.BYTES, "");
    MuxException failure = assertThrows(MuxException.class, () -> readAll(channel));
    assertEquals(ErrorCode.FLOW_CONTROL_ERROR, failure.code(), failure.getMessage());
    assertPass(Scenario.OVERRUN);
    assertEchoes(session);
  }

  @Test
  void theClientStopsAtEachWindowEndAndGoesOnAfterCredit() throws Exception {
    Session session = connect(Scenario.WINDOW, SessionConfig.defaults());
    Channel channel = session.open("subject", ChannelFlavour.BYTES, "");
    byte[] data = new byte[64 * 1024];
    channel.write(data, 0, data.length);
    channel.halfClose();
    assertEquals("received 65536 bytes\n", new String(readAll(channel), StandardCharsets.UTF_8));
    assertPass(Scenario.WINDOW);
  }

  @Test
  void aResetSurfacesAsAChannelErrorAndTheSessionGoesOn() throws Exception {
    Session session = connect(Scenario.RESET, SessionConfig.defaults());
    Channel channel = session.open("subject", ChannelFlavour.BYTES, "");
    MuxException failure = assertThrows(MuxException.class, () -> readAll(channel));
    assertEquals(ErrorCode.SERVICE_ERROR, failure.code(), failure.getMessage());
    assertTrue(failure.getMessage().contains("scripted RESET of channel " + channel.id()), failure.getMessage());
    assertEchoes(session);
    assertPass(Scenario.RESET);
  }

  @Test
  void anUnknownFrameTypeClosesTheSessionWithProtocolError() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    String[] why = new String[1];
    Session session = connect(Scenario.UNKNOWN_FRAME, SessionConfig.defaults().withListener(new SessionListener() {
      @Override
      public void onClosed(Session s, ErrorCode code, String reason) {
        why[0] = code + " " + reason;
        closed.countDown();
      }
    }));
    session.open("subject", ChannelFlavour.BYTES, "");
    assertTrue(closed.await(30, TimeUnit.SECONDS), "the session did not close");
    assertEquals("PROTOCOL_ERROR unknown frame type 0x7f", why[0]);
    assertPass(Scenario.UNKNOWN_FRAME);
  }

  @Test
  void versionSkewIsRefusedWithVersionMismatch() throws Exception {
    MuxException failure = assertThrows(MuxException.class, () -> connect(Scenario.VERSION, SessionConfig.defaults()));
    assertEquals(ErrorCode.VERSION_MISMATCH, failure.code(), failure.getMessage());
    assertTrue(failure.getMessage().contains("speaks Tether protocol 2.0"), failure.getMessage());
    assertPass(Scenario.VERSION);
  }

  @Test
  void anOpenFromThePeerIsRefusedAndAPingAnswered() throws Exception {
    Session refusing = connect(Scenario.PEER_OPEN, SessionConfig.defaults());
    Verdict open = nextVerdict();
    assertEquals(Verdict.Outcome.PASS, open.outcome(), open.line());
    assertTrue(open.text().endsWith("OPEN_FAIL CHANNEL_REFUSED 'this side accepts no channels (kind 'conformance')'"
        + " (§4.1)"), open.line());
    assertEchoes(refusing);
    Session pinged = connect(Scenario.PING, SessionConfig.defaults());
    assertPass(Scenario.PING);
    assertEchoes(pinged);
  }

  @Test
  void aCutMidTransferIsResumedWithNothingLost() throws Exception {
    byte[] content = new byte[2 * 1024 * 1024];
    new Random(13).nextBytes(content);
    Path file = dir.resolve("content.bin");
    Files.write(file, content);
    BlockingQueue<String> detached = new LinkedBlockingQueue<>();
    Session session = connect(Scenario.CUT, SessionConfig.defaults().withListener(new SessionListener() {
      @Override
      public void onDetached(Session s, String reason) {
        detached.add(reason);
      }
    }));
    Channel read = session.open("fs.read", ChannelFlavour.BYTES, "{\"path\":\"" + file + "\"}");
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try {
        got.write(readAll(read));
      } catch (IOException e) {
        got.writeBytes(("FAILED " + e).getBytes(StandardCharsets.UTF_8));
      }
    });
    reader.start();
    assertTrue(detached.poll(30, TimeUnit.SECONDS) != null, "the peer never cut the connection");
    Verdict cut = nextVerdict();
    assertEquals(Verdict.Outcome.INFO, cut.outcome(), cut.line());
    session.resume(WsConnector.connect(url(Scenario.CUT), new WsConnector.Credentials(token, null)).transport());
    reader.join(TimeUnit.SECONDS.toMillis(60));
    assertArrayEquals(content, got.toByteArray(), "the file read across the cut differs");
    assertPass(Scenario.CUT);
  }

  @Test
  void aNormalSessionServesTheAgentsFsServices() throws Exception {
    Path file = dir.resolve("hello.txt");
    Files.writeString(file, "hello from the peer");
    Session session = connect(Scenario.NORMAL, SessionConfig.defaults());
    assertPass(Scenario.NORMAL);
    Channel read = session.open("fs.read", ChannelFlavour.BYTES, "{\"path\":\"" + file + "\"}");
    assertEquals("hello from the peer", new String(readAll(read), StandardCharsets.UTF_8));
  }

  /** The status of an upgrade request written byte for byte, as a page or script could send it. */
  private int upgradeStatus(String path, String host, String origin, String authorization) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), peer.port())) {
      socket.setSoTimeout(30_000);
      String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + (origin == null ? "" : "Origin: " + origin + "\r\n")
          + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
          .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void theEndpointRefusesWhatTheAgentRefuses() throws Exception {
    String here = "127.0.0.1:" + peer.port();
    assertEquals(401, upgradeStatus("/", here, null, null));
    assertEquals(401, upgradeStatus("/", here, null, "Bearer " + "0".repeat(64)));
    assertEquals(403, upgradeStatus("/", here, "https://evil.example", "Bearer " + token));
    assertEquals(421, upgradeStatus("/", "rebound.example:" + peer.port(), null, "Bearer " + token));
    assertEquals(400, upgradeStatus("/?token=" + token, here, null, null));
    assertEquals(101, upgradeStatus("/", here, null, "Bearer " + token));
    Verdict noHello = nextVerdict(); // only the accepted request reached a scenario, and it sent no hello
    assertEquals(Verdict.Outcome.FAIL, noHello.outcome(), noHello.line());
    assertTrue(noHello.text().contains("before the client's hello"), noHello.line());
    TetherException wrong = assertThrows(TetherException.class,
        () -> WsConnector.connect(url(Scenario.NORMAL), new WsConnector.Credentials("0".repeat(64), null)));
    assertTrue(wrong.getMessage().contains("401"), wrong.getMessage());
    TetherException unknown = assertThrows(TetherException.class,
        () -> WsConnector.connect(peer.url() + "scenario/nonsense", new WsConnector.Credentials(token, null)));
    assertTrue(unknown.getMessage().contains("404"), unknown.getMessage());
    assertTrue(verdicts.isEmpty(), "a refused request reached a scenario: " + verdicts);
  }

  /** A client that breaks the rule: the peer's line says FAIL, which rule, and where PROTOCOL.md states it. */
  private Verdict misbehave(Scenario scenario, RawClient script) throws Exception {
    WsConnector.Connected connected = WsConnector.connect(url(scenario), new WsConnector.Credentials(token, null));
    try (Peer client = Peer.handshake(connected.transport())) {
      script.run(client);
      Verdict verdict = nextVerdict();
      assertEquals(Verdict.Outcome.FAIL, verdict.outcome(), verdict.line());
      assertEquals(scenario.label(), verdict.scenario(), verdict.line());
      return verdict;
    }
  }

  private interface RawClient {
    void run(Peer client) throws IOException;
  }

  private static Frame answer(Peer client, int type) throws IOException {
    Frame frame = client.next(1);
    while (frame != null && frame.type() != type) {
      frame = client.next(1);
    }
    assertTrue(frame != null, "the peer sent no " + RawFrames.name(type));
    return frame;
  }

  /** The next frame of {@code type} on any channel. */
  private static Frame answer0(Peer client, int type) throws IOException {
    Frame frame = client.next();
    while (frame != null && frame.type() != type) {
      frame = client.next();
    }
    assertTrue(frame != null, "the peer sent no " + RawFrames.name(type));
    return frame;
  }

  @Test
  void aMisbehavingClientIsToldWhichRuleItBrokeAndWhere() throws Exception {
    Verdict window = misbehave(Scenario.WINDOW, client -> {
      client.send(RawFrames.OPEN, 1, RawFrames.open(1 << 20, 0, "subject", ""));
      answer(client, RawFrames.OPEN_OK);
      client.send(RawFrames.DATA, 1, new byte[8192]); // twice the 4096-byte window it was given
    });
    assertTrue(window.text().startsWith("client did not stop sending after the window was used up: 8192 bytes"),
        window.line());
    assertTrue(window.text().endsWith("(§6)"), window.line());

    Verdict overrun = misbehave(Scenario.OVERRUN, client -> {
      client.send(RawFrames.OPEN, 1, RawFrames.open(4096, 0, "subject", ""));
      answer(client, RawFrames.DATA);
      client.send(RawFrames.GOAWAY, 0, RawFrames.error(1, "took offence"));
    });
    assertTrue(overrun.text().contains("closed the whole session (GOAWAY 1 'took offence') for a window overrun;"
        + " §4.4 and §6: only the channel is reset"), overrun.line());

    Verdict reset = misbehave(Scenario.RESET, client -> {
      client.send(RawFrames.OPEN, 1, RawFrames.open(1 << 20, 0, "subject", ""));
      answer(client, RawFrames.RESET);
      client.send(RawFrames.DATA, 1, "after the reset".getBytes(StandardCharsets.UTF_8));
    });
    assertTrue(reset.text().contains("client sent DATA on channel 1 after it had received the channel's RESET"),
        reset.line());

    Verdict unknown = misbehave(Scenario.UNKNOWN_FRAME, client -> {
      client.send(RawFrames.OPEN, 1, RawFrames.open(1 << 20, 0, "subject", ""));
      answer(client, RawFrames.OPEN_OK); // then the unknown frame and a PING, which Peer answers
    });
    assertTrue(unknown.text().startsWith("client ignored a frame of unknown type 0x7f and answered the PING after it;"
        + " §10.3"), unknown.line());

    Verdict open = misbehave(Scenario.PEER_OPEN, client -> {
      Frame offered = answer0(client, RawFrames.OPEN);
      client.send(RawFrames.OPEN_OK, offered.channel(), RawFrames.u32(65536));
    });
    assertTrue(open.text().startsWith("client accepted a channel the peer opened (OPEN_OK); §4.1"), open.line());

    Verdict version = misbehave(Scenario.VERSION, client -> client.send(RawFrames.PING, 0, new byte[8]));
    assertTrue(version.text().matches("client sent \\d+ bytes after a hello of major version 2; §2\\.2: .*"),
        version.line());
  }

  @Test
  void connectionsToTheRootPlayTheConfiguredScenariosInTurn() throws Exception {
    Path tokenFile = dir.resolve("token");
    try (ReferencePeer rotating = ReferencePeer.start(new ReferencePeer.Settings("127.0.0.1", 0, List.of(),
        List.of(Scenario.PING, Scenario.VERSION)), ConnectionToken.loadOrCreate(tokenFile), verdicts::add)) {
      WsConnector.Credentials credentials = new WsConnector.Credentials(token, null);
      sessions.add(Session.connect(WsConnector.connect(rotating.url(), credentials).transport(), SessionConfig.defaults()));
      assertPass(Scenario.PING);
      MuxException skew = assertThrows(MuxException.class,
          () -> Session.connect(WsConnector.connect(rotating.url(), credentials).transport(), SessionConfig.defaults()));
      assertEquals(ErrorCode.VERSION_MISMATCH, skew.code());
      assertPass(Scenario.VERSION);
    }
  }

  @Test
  void itListensOnLoopbackOnly() {
    IOException refused = assertThrows(IOException.class, () -> ReferencePeer.start(
        new ReferencePeer.Settings("0.0.0.0", 0, List.of(), List.of(Scenario.NORMAL)),
        ConnectionToken.loadOrCreate(dir.resolve("token")), verdicts::add));
    assertTrue(refused.getMessage().contains("loopback only"), refused.getMessage());
  }
}
