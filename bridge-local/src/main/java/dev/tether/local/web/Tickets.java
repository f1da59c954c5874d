package dev.tether.local.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one-time tickets of {@code tether web} and the cookies they are redeemed for. A ticket is the
 * secret in the URL the command prints: it works once, within its lifetime, and is then worth nothing
 * (the URL may linger in a browser's history or a terminal's scrollback). Redeeming it gives a cookie,
 * which the page and its WebSockets present from then on, for as long as the server runs.
 *
 * <p>Pure apart from the random source; the clock is given, so expiry is tested without waiting.
 * Threading: every method may be called from any thread; {@code this} guards the ticket map, cookies
 * are a copy-on-write list read without a lock.
 */
public final class Tickets {
  /** What a presented ticket turned out to be. */
  public enum Outcome {
    ACCEPTED, UNKNOWN, EXPIRED, USED
  }

  /** The outcome and, when accepted, the cookie value that now admits the browser. */
  public record Redemption(Outcome outcome, String cookie) {}

  private static final HexFormat HEX = HexFormat.of();

  private final Clock clock;
  private final Duration lifetime;
  private final SecureRandom random = new SecureRandom();
  /** Every ticket issued, with when; a redeemed one is kept (as {@link Instant#MIN}) to say "used". */
  private final Map<String, Instant> issued = new HashMap<>();
  private final List<byte[]> cookies = new CopyOnWriteArrayList<>();

  public Tickets(Clock clock, Duration lifetime) {
    this.clock = clock;
    this.lifetime = lifetime;
  }

  public Duration lifetime() {
    return lifetime;
  }

  /** A new ticket: 32 random bytes as hex, valid once for {@link #lifetime()}. */
  public synchronized String issue() {
    String ticket = secret();
    issued.put(ticket, clock.instant());
    return ticket;
  }

  /** Redeems a ticket: accepted once, then {@link Outcome#USED}; expired after its lifetime. */
  public synchronized Redemption redeem(String ticket) {
    Instant at = issued.get(ticket);
    if (at == null) {
      return new Redemption(Outcome.UNKNOWN, null);
    }
    if (at.equals(Instant.MIN)) {
      return new Redemption(Outcome.USED, null);
    }
    issued.put(ticket, Instant.MIN);
    if (clock.instant().isAfter(at.plus(lifetime))) {
      return new Redemption(Outcome.EXPIRED, null);
    }
    String cookie = secret();
    cookies.add(cookie.getBytes(StandardCharsets.US_ASCII));
    return new Redemption(Outcome.ACCEPTED, cookie);
  }

  /** Whether {@code value} is a cookie some ticket was redeemed for (compared in constant time). */
  public boolean admits(String value) {
    if (value == null) {
      return false;
    }
    byte[] presented = value.getBytes(StandardCharsets.US_ASCII);
    boolean match = false;
    for (byte[] cookie : cookies) {
      match |= MessageDigest.isEqual(cookie, presented);
    }
    return match;
  }

  private String secret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return HEX.formatHex(bytes);
  }
}
