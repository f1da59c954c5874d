package dev.tether.adapters.ports;

import java.util.ArrayList;
import java.util.List;

/** Result of {@code ports/list}. Public fields: Gson (through LSP4J) maps them one to one. */
public final class PortList {
  /** The agent's own pid: its reverse-forward listeners are in the list too, and auto-forwarding skips them. */
  public long agentPid;
  public List<ListeningSocket> sockets = new ArrayList<>();
}
