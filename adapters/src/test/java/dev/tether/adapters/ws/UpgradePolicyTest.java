package dev.tether.adapters.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpgradePolicyTest {
  @TempDir
  Path dir;
  private String token;
  private UpgradePolicy policy;

  @BeforeEach
  void makePolicy() throws Exception {
    ConnectionToken connectionToken = ConnectionToken.loadOrCreate(dir.resolve("token"));
    token = Files.readString(dir.resolve("token")).strip();
    policy = new UpgradePolicy(connectionToken, List.of("127.0.0.1", "localhost", "::1"), 7420, List.of("ws.example"),
        List.of("https://ide.example"));
  }

  private UpgradePolicy.Refusal check(String query, String host, String origin, String authorization, List<String> protocols) {
    return policy.check(query, host, origin, authorization, protocols);
  }

  @Test
  void aProgramWithTheBearerTokenPasses() {
    assertNull(check(null, "127.0.0.1:7420", null, "Bearer " + token, List.of()));
    assertNull(check(null, "localhost:7420", null, "bearer " + token, List.of()), "the scheme is case-insensitive");
    assertNull(check(null, "[::1]:7420", null, "Bearer " + token, List.of()));
  }

  @Test
  void anAllowedPagePassesWithTheTokenSubprotocol() {
    assertNull(check(null, "127.0.0.1:7420", "https://ide.example", null, List.of("tether.v1", "tether.token." + token)));
  }

  @Test
  void eachCheckRefusesWithItsStatus() {
    assertEquals(401, check(null, "127.0.0.1:7420", null, null, List.of()).status());
    assertEquals(401, check(null, "127.0.0.1:7420", null, "Bearer " + token.toUpperCase(), List.of()).status());
    assertEquals(401, check(null, "127.0.0.1:7420", null, "Basic " + token, List.of()).status());
    assertEquals(400, check("token=" + token, "127.0.0.1:7420", null, "Bearer " + token, List.of()).status());
    assertEquals(403, check(null, "127.0.0.1:7420", "https://evil.example", "Bearer " + token, List.of()).status());
    assertEquals(421, check(null, "evil.example:7420", null, "Bearer " + token, List.of()).status());
    assertEquals(421, check(null, "127.0.0.1:7421", null, "Bearer " + token, List.of()).status());
    assertEquals(421, check(null, null, null, "Bearer " + token, List.of()).status());
  }

  @Test
  void anAllowedHostNamePassesWithAnyPort() {
    assertNull(check(null, "ws.example", null, "Bearer " + token, List.of()));
    assertNull(check(null, "WS.example:443", null, "Bearer " + token, List.of()));
  }

  @Test
  void aRefusalNeverEchoesTheToken() {
    UpgradePolicy.Refusal refusal = check("token=" + token, "127.0.0.1:7420", null, null, List.of());
    assertEquals(-1, refusal.reason().indexOf(token));
  }
}
