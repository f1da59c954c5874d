package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReceiveWindowTest {
  @Test
  void consumingWithinTheWindowShrinksIt() {
    ReceiveWindow window = new ReceiveWindow(100);
    assertTrue(window.consume(60));
    assertEquals(40, window.available());
  }

  @Test
  void overrunIsRefusedAndChangesNothing() {
    ReceiveWindow window = new ReceiveWindow(100);
    assertTrue(window.consume(90));
    assertFalse(window.consume(11));
    assertEquals(10, window.available());
  }

  @Test
  void creditIsReturnedOnlyOnceHalfTheWindowWasRead() {
    ReceiveWindow window = new ReceiveWindow(100);
    window.consume(100);
    assertEquals(0, window.release(30));
    assertEquals(0, window.release(19));
    assertEquals(50, window.release(1));
    assertEquals(50, window.available());
  }

  @Test
  void releaseNowReturnsEverythingWithheld() {
    ReceiveWindow window = new ReceiveWindow(100);
    window.consume(100);
    assertEquals(0, window.release(10));
    assertEquals(30, window.releaseNow(20));
    assertEquals(30, window.available());
    assertEquals(0, window.releaseAll());
  }

  @Test
  void sizeMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new ReceiveWindow(0));
  }
}
