package dev.tether.local.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteSpecTest {
  private static final String RIGHT = "a".repeat(64);
  private static final String WRONG = "b".repeat(64);

  private static RemoteSpec ws(String token) {
    RemoteSpec spec = new RemoteSpec("ws://127.0.0.1:8022/", List.of(), null);
    spec.token = token;
    return spec;
  }

  @Test
  void aWsSessionIsSharedOnlyByCommandsWithTheSameToken() {
    assertEquals(ws(RIGHT).key(), ws(RIGHT).key());
    assertNotEquals(ws(RIGHT).key(), ws(WRONG).key());
    assertNotEquals(ws(RIGHT).key(), ws(null).key());
  }

  @Test
  void theKeyNamesTheTokenByAHashNeverByItself() {
    String key = ws(RIGHT).key();
    assertFalse(key.contains(RIGHT.substring(0, 16)), key);
    assertTrue(key.contains("token sha256:"), key);
  }

  @Test
  void anSshKeyIsUnchangedByTokens() {
    RemoteSpec ssh = new RemoteSpec("me@host", List.of("-p", "2222"), null);
    assertEquals("me@host -p 2222", ssh.key());
  }
}
