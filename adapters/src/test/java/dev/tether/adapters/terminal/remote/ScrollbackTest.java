package dev.tether.adapters.terminal.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScrollbackTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void keepsEverythingWhileBelowCapacity() {
    Scrollback scrollback = new Scrollback(8);
    scrollback.append(bytes("abc"), 0, 3);
    scrollback.append(bytes("xdey"), 1, 2);
    assertArrayEquals(bytes("abcde"), scrollback.snapshot());
  }

  @Test
  void keepsTheNewestBytesAcrossTheWrap() {
    Scrollback scrollback = new Scrollback(8);
    scrollback.append(bytes("012345"), 0, 6);
    scrollback.append(bytes("6789"), 0, 4);
    assertArrayEquals(bytes("23456789"), scrollback.snapshot());
    assertEquals(10, scrollback.total());
  }

  @Test
  void aWriteLargerThanTheRingKeepsItsTail() {
    Scrollback scrollback = new Scrollback(4);
    scrollback.append(bytes("a"), 0, 1);
    scrollback.append(bytes("0123456789"), 0, 10);
    assertArrayEquals(bytes("6789"), scrollback.snapshot());
  }
}
