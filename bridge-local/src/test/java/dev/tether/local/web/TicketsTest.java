package dev.tether.local.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TicketsTest {
  /** A clock that moves only when told. */
  private static final class StepClock extends Clock {
    Instant now = Instant.parse("2026-12-06T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final StepClock clock = new StepClock();
  private final Tickets tickets = new Tickets(clock, Duration.ofSeconds(60));

  @Test
  void aTicketIsAcceptedOnceThenUsed() {
    String ticket = tickets.issue();
    Tickets.Redemption first = tickets.redeem(ticket);
    assertEquals(Tickets.Outcome.ACCEPTED, first.outcome());
    assertTrue(tickets.admits(first.cookie()));
    Tickets.Redemption again = tickets.redeem(ticket);
    assertEquals(Tickets.Outcome.USED, again.outcome());
    assertNull(again.cookie());
  }

  @Test
  void aTicketRedeemedAfterItsLifetimeHasExpiredAndIsSpent() {
    String ticket = tickets.issue();
    clock.now = clock.now.plusSeconds(61);
    assertEquals(Tickets.Outcome.EXPIRED, tickets.redeem(ticket).outcome());
    assertEquals(Tickets.Outcome.USED, tickets.redeem(ticket).outcome());
  }

  @Test
  void aTicketAtTheEndOfItsLifetimeStillWorks() {
    String ticket = tickets.issue();
    clock.now = clock.now.plusSeconds(60);
    assertEquals(Tickets.Outcome.ACCEPTED, tickets.redeem(ticket).outcome());
  }

  @Test
  void anUnknownTicketIsUnknownAndCookiesAreNotTickets() {
    String ticket = tickets.issue();
    assertEquals(Tickets.Outcome.UNKNOWN, tickets.redeem(ticket.substring(1) + "0").outcome());
    assertFalse(tickets.admits(ticket), "a ticket is not a cookie");
    assertFalse(tickets.admits(null));
    assertFalse(tickets.admits(""));
  }

  @Test
  void everyTicketAndCookieIsFresh() {
    String a = tickets.issue();
    String b = tickets.issue();
    assertNotEquals(a, b);
    assertEquals(64, a.length());
    String cookieA = tickets.redeem(a).cookie();
    String cookieB = tickets.redeem(b).cookie();
    assertNotEquals(cookieA, cookieB);
    assertTrue(tickets.admits(cookieA) && tickets.admits(cookieB));
  }
}
