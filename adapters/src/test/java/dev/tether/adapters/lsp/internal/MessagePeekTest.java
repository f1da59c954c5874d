package dev.tether.adapters.lsp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessagePeekTest {
  private static MessagePeek.Peek peek(String json) {
    return MessagePeek.peek(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTopLevelMethodAndIdPastNestedValues() {
    MessagePeek.Peek p = peek("{\"jsonrpc\":\"2.0\",\"params\":{\"method\":\"nested\",\"id\":9,\"a\":[1,{\"b\":\"}\\\"]\"}]},"
        + "\"id\":7,\"method\":\"textDocument/hover\"}");
    assertEquals("textDocument/hover", p.method());
    assertEquals("n:7", p.idKey());
    assertTrue(p.hasId());
  }

  @Test
  void idKeysMatchThePendingRequestsKeys() {
    for (String id : new String[] {"1", "1.0", "\"1\"", "-3e2", "\"a\\u0062\\n\""}) {
      MessagePeek.Peek p = peek("{\"id\":" + id + ",\"result\":null}");
      assertEquals(PendingRequests.key(JsonParser.parseString(id)), p.idKey(), id);
      assertNull(p.method());
    }
  }

  @Test
  void aNullIdIsAnIdWithoutKeyAndANotificationHasNone() {
    assertTrue(peek("{\"id\":null,\"error\":{}}").hasId());
    assertNull(peek("{\"id\":null,\"error\":{}}").idKey());
    assertFalse(peek(" {\"method\":\"exit\"} ").hasId());
    assertEquals("exit", peek(" {\"method\":\"exit\"} ").method());
  }

  @Test
  void anythingElseIsLeftToTheParser() {
    for (String body : new String[] {"[{\"id\":1}]", "{\"id\":1", "{\"id\":1}x", "", "nul", "{\"id\":tru}", "{id:1}",
        "{\"a\":\"unterminated}", "42"}) {
      assertNull(peek(body), body);
    }
  }
}
