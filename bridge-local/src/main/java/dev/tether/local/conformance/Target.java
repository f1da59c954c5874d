package dev.tether.local.conformance;

import dev.tether.mux.transport.Transport;
import java.io.IOException;

/** What the checks run against: a way to reach a fresh byte stream to the agent, before any hello. */
public interface Target {
  /** A new transport to the agent (a new agent process for {@code local}, a new SSH connection for a host). */
  Transport connect() throws IOException;

  /**
   * Whether the agent outlives a transport, so that a session can be resumed on a new one (§8): true for
   * SSH, where the agent daemon keeps sessions; false for {@code local} and {@code --via}, whose agent
   * is the process at the other end of the transport.
   */
  boolean resumable();

  String description();
}
