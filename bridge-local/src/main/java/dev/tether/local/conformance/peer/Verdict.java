package dev.tether.local.conformance.peer;

/**
 * What the peer concluded about the client on one connection: one line, for a client author to read.
 *
 * @param outcome PASS (the client did what PROTOCOL.md asks), FAIL (it did not; the text says what and
 *     which section), or INFO (nothing to judge on this connection, e.g. the connection that was cut)
 */
public record Verdict(Outcome outcome, String scenario, int connection, String text) {
  public enum Outcome { PASS, FAIL, INFO }

  public static Verdict pass(String scenario, int connection, String text) {
    return new Verdict(Outcome.PASS, scenario, connection, text);
  }

  public static Verdict fail(String scenario, int connection, String text) {
    return new Verdict(Outcome.FAIL, scenario, connection, text);
  }

  public static Verdict info(String scenario, int connection, String text) {
    return new Verdict(Outcome.INFO, scenario, connection, text);
  }

  /** {@code PASS overrun #3: client answered ...}. */
  public String line() {
    return outcome + " " + scenario + " #" + connection + ": " + text;
  }
}
