package dev.tether.local.conformance.peer;

import java.util.Locale;

/**
 * What the reference peer does on one connection: serve a real session, or misbehave in one scripted way
 * and judge the client's answer. A client picks one with the WebSocket path {@code /scenario/NAME}.
 */
public enum Scenario {
  NORMAL("serves a real session with the standard fs, fs.read, fs.stat, fs.write, exec and exec.io services", "§2.3"),
  CUT("serves a real session, cuts the WebSocket mid-transfer (after " + ServedSessions.CUT_AFTER
      + " bytes of output) and accepts the resumption", "§8.4, §8.5"),
  OVERRUN("answers the first OPEN, then sends one byte more DATA than the window that OPEN offered", "§4.4, §6"),
  WINDOW("answers the first OPEN with a " + ScriptedAcceptor.SMALL_WINDOW
      + "-byte window and grants more only when it is used up; the client must stop at each end", "§6"),
  RESET("answers the first OPEN, sends a few bytes, then RESETs the channel (SERVICE_ERROR)", "§4.7"),
  UNKNOWN_FRAME("answers the first OPEN, then sends a frame of unknown type 0x7f", "§10.3"),
  VERSION("answers the hello with a hello of major version 2", "§2.2"),
  PEER_OPEN("opens a channel towards the client (kind 'conformance'), which a client of the agent refuses", "§4.1, §4.3"),
  PING("sends a PING right after the hello; the client must answer PONG with the same 8 bytes", "§4.8");

  private final String title;
  private final String section;

  Scenario(String title, String section) {
    this.title = title;
    this.section = section;
  }

  /** The name in paths and on the command line: lower case, dashes ({@code unknown-frame}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public String title() {
    return title;
  }

  public String section() {
    return section;
  }

  /** The scenario called {@code label}, or null. */
  public static Scenario byLabel(String label) {
    for (Scenario scenario : values()) {
      if (scenario.label().equals(label)) {
        return scenario;
      }
    }
    return null;
  }

  public static String labels() {
    StringBuilder out = new StringBuilder();
    for (Scenario scenario : values()) {
      out.append(out.isEmpty() ? "" : ", ").append(scenario.label());
    }
    return out.toString();
  }
}
