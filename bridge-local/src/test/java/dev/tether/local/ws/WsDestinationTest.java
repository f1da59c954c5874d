package dev.tether.local.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class WsDestinationTest {
  @Test
  void wsAndWssUrlsAreDestinations() {
    assertTrue(WsDestination.is("ws://127.0.0.1:7420"));
    assertTrue(WsDestination.is("wss://host/tether"));
    assertFalse(WsDestination.is("alice@build-box"));
    assertEquals(URI.create("ws://127.0.0.1:7420/"), WsDestination.parse("ws://127.0.0.1:7420"));
  }

  @Test
  void aTokenInTheUrlIsRefusedBeforeAnythingIsSent() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WsDestination.parse("ws://127.0.0.1:7420/?token=abc"));
    assertTrue(e.getMessage().contains("never in the URL"), e.getMessage());
  }

  @Test
  void fingerprintsAreReadWithOrWithoutColons() {
    String hex = "ab".repeat(32);
    assertEquals(32, PinnedTrust.parse("SHA256:" + hex).length);
    assertEquals(32, PinnedTrust.parse(hex.toUpperCase().replaceAll("(..)(?!$)", "$1:")).length);
    assertThrows(IllegalArgumentException.class, () -> PinnedTrust.parse("SHA256:abcd"));
  }
}
