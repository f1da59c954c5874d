package dev.tether.conformance.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may use {@code tether-remote serve}: only a client that presents the token, from no browser
 * page unless its Origin is allowed, through a Host name that is the server's own. Each test tries
 * one way in against the real agent jar and checks it is refused before anything is served, with a
 * log line naming the peer, and that the token never reaches the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketEndpointSecurityTest {
  private static final String ALLOWED_ORIGIN = "https://ide.example";

  private Path home;
  private ServeProcess serve;
  private String token;

  @BeforeAll
  void startServe() throws Exception {
    home = Files.createTempDirectory("tether-ws-security-");
    serve = ServeProcess.start(home, "--listen", "127.0.0.1:0", "--allow-origin", ALLOWED_ORIGIN);
    assertTrue(serve.port > 0, "serve did not start: " + serve.output);
    token = serve.token();
  }

  @AfterAll
  void stopServe() {
    if (serve != null) {
      serve.close();
    }
    ServeProcess.deleteTree(home);
  }

  private RawUpgrade upgrade(String path, Map<String, String> headers) throws Exception {
    return RawUpgrade.send(serve.port, path, headers);
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  @Test
  void theTokenFileIsMadeWithMode0600AndHolds256RandomBits() throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(serve.tokenFile())));
    assertTrue(token.matches("[0-9a-f]{64}"), "token: 64 hex digits");
  }

  @Test
  void theRightTokenUpgrades() throws Exception {
    try (RawUpgrade ok = upgrade("/", Map.of("Authorization", bearer(token)))) {
      assertEquals(101, ok.status, "headers: " + ok.headers);
    }
  }

  @Test
  void aMissingTokenIs401AndLoggedWithThePeerAddress() throws Exception {
    try (RawUpgrade refused = upgrade("/no-token-probe", Map.of())) {
      assertEquals(401, refused.status);
    }
    awaitLog("refused GET /no-token-probe from 127.0.0.1:", "401 no token");
  }

  @Test
  void aWrongTokenIs401() throws Exception {
    char last = token.charAt(token.length() - 1);
    String wrong = token.substring(0, token.length() - 1) + (last == '0' ? '1' : '0');
    try (RawUpgrade refused = upgrade("/wrong-token-probe", Map.of("Authorization", bearer(wrong)))) {
      assertEquals(401, refused.status);
    }
    try (RawUpgrade refused = upgrade("/", Map.of("Authorization", bearer(token.substring(0, 32))))) {
      assertEquals(401, refused.status, "a prefix of the token");
    }
    awaitLog("refused GET /wrong-token-probe from 127.0.0.1:", "401 wrong token");
    assertFalse(serve.logText().contains(wrong), "the presented token reached the log");
  }

  @Test
  void aTokenInTheQueryStringIsRefusedEvenWhenRightAndNeverLogged() throws Exception {
    try (RawUpgrade refused = upgrade("/query-probe?token=" + token, Map.of("Authorization", bearer(token)))) {
      assertEquals(400, refused.status);
    }
    awaitLog("refused GET /query-probe from 127.0.0.1:", "400 a query string is refused");
    assertFalse(serve.logText().contains(token), "the token reached the log");
  }

  @Test
  void aPageFromAnotherOriginIsRefusedEvenWithTheToken() throws Exception {
    try (RawUpgrade refused = upgrade("/", Map.of("Authorization", bearer(token), "Origin", "https://evil.example"))) {
      assertEquals(403, refused.status);
    }
    try (RawUpgrade refused = upgrade("/", Map.of("Authorization", bearer(token), "Origin", "null"))) {
      assertEquals(403, refused.status, "a sandboxed page's null Origin");
    }
  }

  @Test
  void anAllowedPageAuthenticatesThroughTheSubprotocolListWhichIsNeverEchoed() throws Exception {
    try (RawUpgrade ok = upgrade("/", Map.of("Origin", ALLOWED_ORIGIN,
        "Sec-WebSocket-Protocol", "tether.v1, tether.token." + token))) {
      assertEquals(101, ok.status, "headers: " + ok.headers);
      assertEquals("tether.v1", ok.headers.get("sec-websocket-protocol"));
    }
    try (RawUpgrade refused = upgrade("/", Map.of("Origin", ALLOWED_ORIGIN,
        "Sec-WebSocket-Protocol", "tether.v1, tether.token." + "0".repeat(64)))) {
      assertEquals(401, refused.status, "a wrong token in the subprotocol list");
    }
  }

  @Test
  void aRebindingHostNameIsRefusedEvenWithTheToken() throws Exception {
    // A page at http://attacker.example:PORT whose name now resolves to 127.0.0.1 sends its own name.
    try (RawUpgrade refused = upgrade("/", Map.of("Authorization", bearer(token), "Host", "attacker.example:" + serve.port))) {
      assertEquals(421, refused.status);
    }
    try (RawUpgrade refused = upgrade("/", Map.of("Authorization", bearer(token), "Host", "127.0.0.1:" + (serve.port + 1)))) {
      assertEquals(421, refused.status, "the right address with another port");
    }
    try (RawUpgrade ok = upgrade("/", Map.of("Authorization", bearer(token), "Host", "localhost:" + serve.port))) {
      assertEquals(101, ok.status, "localhost names a loopback listen address");
    }
  }

  @Test
  void aMessageLargerThanTheLimitClosesTheWebSocket() throws Exception {
    WebSocketClient client = new WebSocketClient();
    client.start();
    try {
      CloseRecorder listener = new CloseRecorder();
      ClientUpgradeRequest request = new ClientUpgradeRequest();
      request.setHeader("Authorization", bearer(token));
      Session session = client.connect(listener, java.net.URI.create(serve.url()), request).get(30, TimeUnit.SECONDS);
      session.sendBinary(ByteBuffer.allocate(dev.tether.adapters.ws.WsLimits.MAX_MESSAGE + 1), Callback.NOOP);
      assertEquals(1009, listener.closed.get(30, TimeUnit.SECONDS), "close code: message too big");
    } finally {
      client.stop();
    }
  }

  @Test
  void moreConnectionsThanTheLimitAre503() throws Exception {
    Path otherHome = Files.createTempDirectory("tether-ws-limit-");
    try (ServeProcess limited = ServeProcess.start(otherHome, "--listen", "127.0.0.1:0", "--max-connections", "1")) {
      String limitedToken = limited.token();
      try (RawUpgrade first = RawUpgrade.send(limited.port, "/", Map.of("Authorization", bearer(limitedToken)));
          RawUpgrade second = RawUpgrade.send(limited.port, "/", Map.of("Authorization", bearer(limitedToken)))) {
        assertEquals(101, first.status);
        assertEquals(503, second.status);
      }
    } finally {
      ServeProcess.deleteTree(otherHome);
    }
  }

  @Test
  void plainWsIsRefusedOnAnAddressOtherMachinesReach() throws Exception {
    List<String> addresses = new java.util.ArrayList<>(List.of("0.0.0.0:0"));
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (!address.isLoopbackAddress() && address instanceof java.net.Inet4Address) {
          addresses.add(address.getHostAddress() + ":0");
        }
      }
    }
    for (String address : addresses) {
      Path otherHome = Files.createTempDirectory("tether-ws-plain-");
      try (ServeProcess refused = ServeProcess.start(otherHome, "--listen", address)) {
        assertEquals(-1, refused.port, "serve listened on " + address + ": " + refused.output);
        assertTrue(refused.process.waitFor(30, TimeUnit.SECONDS), "serve still running");
        assertEquals(2, refused.process.exitValue(), String.join("\n", refused.output));
        assertTrue(String.join("\n", refused.output).contains("plain ws is served on a loopback address only"),
            String.join("\n", refused.output));
      } finally {
        ServeProcess.deleteTree(otherHome);
      }
    }
  }

  @Test
  void aPlainHttpRequestWithTheTokenIsServedNothing() throws Exception {
    Map<String, String> plain = new java.util.HashMap<>();
    plain.put("Authorization", bearer(token));
    plain.put("Connection", "close");
    plain.put("Upgrade", null);
    plain.put("Sec-WebSocket-Key", null);
    plain.put("Sec-WebSocket-Version", null);
    try (RawUpgrade notUpgrade = upgrade("/", plain)) {
      assertNotEquals(101, notUpgrade.status);
      assertNotEquals(200, notUpgrade.status);
    }
  }

  /** The log lines come from the server's own thread: wait (bounded) for them to be written. */
  private void awaitLog(String... parts) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String log = serve.logText();
      boolean all = true;
      for (String line : log.split("\n")) {
        all = true;
        for (String part : parts) {
          all &= line.contains(part);
        }
        if (all) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no log line with " + List.of(parts) + " in:\n" + log);
      }
      Thread.sleep(20); // a bounded poll of the log file, which the server writes on its own thread
    }
  }
}
