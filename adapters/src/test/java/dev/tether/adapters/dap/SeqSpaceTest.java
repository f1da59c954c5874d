package dev.tether.adapters.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.dap.internal.SeqSpace;
import org.junit.jupiter.api.Test;

class SeqSpaceTest {
  @Test
  void nothingIsRenumberedUntilTheBridgeInserts() {
    SeqSpace space = new SeqSpace();
    assertEquals(1, space.emit(1, true));
    assertEquals(2, space.emit(2, false));
    assertFalse(space.shifted());
    assertEquals(1, space.original(1));
  }

  @Test
  void insertedMessagesShiftTheSendersLaterOnesAndAnswersMapBack() {
    SeqSpace space = new SeqSpace();
    assertEquals(1, space.emit(1, true));
    assertEquals(2, space.insert());
    assertEquals(3, space.emit(2, true));
    assertEquals(4, space.insert());
    assertEquals(5, space.emit(3, true));
    assertTrue(space.shifted());
    assertEquals(5, space.emitted(3), "cancel's requestId");
    assertEquals(3, space.original(5));
    assertEquals(2, space.original(3));
    assertEquals(1, space.original(1), "sent before any insertion");
  }
}
