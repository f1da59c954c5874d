package dev.tether.remote.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WsServeTest {
  private static WsServe parse(String... args) {
    return WsServe.parse(args, 0);
  }

  @Test
  void plainWsIsRefusedOffLoopbackAndAllowedWithTls() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--listen", "0.0.0.0:7420"));
    assertTrue(e.getMessage().contains("plain ws is served on a loopback address only"), e.getMessage());
    assertTrue(parse("--listen", "0.0.0.0:7420", "--tls-self-signed").tls());
    assertEquals("::1", parse("--listen", "[::1]:0").host);
  }

  @Test
  void optionsAreParsedAndMistakesNamed() {
    WsServe serve = parse("--listen", "127.0.0.1:0", "--allow-origin", "https://a", "--allow-origin", "https://b",
        "--allow-host", "h", "--max-connections", "3");
    assertEquals(List.of("https://a", "https://b"), serve.allowOrigins);
    assertEquals(List.of("h"), serve.allowHosts);
    assertEquals(3, serve.maxConnections);
    assertThrows(IllegalArgumentException.class, () -> parse());
    assertThrows(IllegalArgumentException.class, () -> parse("--listen", "unix:/tmp/x.sock"));
    assertThrows(IllegalArgumentException.class, () -> parse("--listen", "127.0.0.1:0", "--max-connections", "0"));
    assertThrows(IllegalArgumentException.class,
        () -> parse("--listen", "127.0.0.1:0", "--tls-self-signed", "--tls-keystore", "k.p12"));
  }
}
