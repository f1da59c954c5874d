package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrafficMixTest {
  @Test
  void bulkAloneOrSmallAloneIsNotMixed() {
    TrafficMix mix = new TrafficMix(1000, 100);
    mix.data(1, 1000, 0);
    mix.data(1, 1000, 10);
    assertFalse(mix.mixed(10), "one bulk channel");
    TrafficMix small = new TrafficMix(1000, 100);
    small.data(3, 50, 0);
    small.data(5, 50, 1);
    assertFalse(small.mixed(1), "small messages only");
  }

  @Test
  void bulkWithSmallMessagesOnAnotherChannelIsMixedUntilTheWindowPasses() {
    TrafficMix mix = new TrafficMix(1000, 100);
    mix.data(1, 1000, 0);
    mix.data(1, 100, 5);
    assertFalse(mix.mixed(5), "the bulk channel's own short tail does not count");
    mix.data(3, 100, 10);
    assertTrue(mix.mixed(10));
    mix.data(3, 600, 20);
    assertTrue(mix.mixed(99), "a medium frame neither starts nor ends it");
    assertFalse(mix.mixed(100), "no full frame for a whole window");
    mix.data(1, 1000, 150);
    assertFalse(mix.mixed(150), "no small message for a whole window");
    mix.data(5, 10, 160);
    assertTrue(mix.mixed(160));
  }
}
