package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SendWindowTest {
  @Test
  void tryConsumeTakesAtMostWhatIsAvailable() throws IOException {
    SendWindow window = new SendWindow(10);
    assertEquals(7, window.tryConsume(7));
    assertEquals(3, window.tryConsume(7));
    assertEquals(0, window.tryConsume(7));
  }

  @Test
  void expandReportsTheTransitionFromEmpty() throws IOException {
    SendWindow window = new SendWindow(1);
    assertFalse(window.expand(5));
    window.tryConsume(6);
    assertTrue(window.expand(2));
    assertEquals(2, window.available());
  }

  @Test
  void expandPastTwoToTheThirtyOneIsAViolation() {
    SendWindow window = new SendWindow(Integer.MAX_VALUE - 1);
    assertThrows(IllegalStateException.class, () -> window.expand(2));
  }

  @Test
  void awaitSpaceBlocksUntilCreditArrives() throws Exception {
    SendWindow window = new SendWindow(0);
    CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
      try {
        return window.consume(100);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertFalse(writer.isDone());
    window.expand(40);
    assertEquals(40, writer.get(5, TimeUnit.SECONDS));
  }

  @Test
  void closeWakesWaitersWithTheReason() throws Exception {
    SendWindow window = new SendWindow(0);
    CompletableFuture<IOException> writer = CompletableFuture.supplyAsync(() -> {
      try {
        window.awaitSpace();
        return null;
      } catch (IOException e) {
        return e;
      }
    });
    IOException reason = new IOException("reset by peer");
    window.close(reason);
    assertSame(reason, writer.get(5, TimeUnit.SECONDS));
    assertThrows(IOException.class, () -> window.tryConsume(1));
  }
}
