package dev.tether.local.connect;

import dev.tether.adapters.sys.SysInfo;
import dev.tether.mux.Session;
import java.time.Instant;

/**
 * A live session with one host's agent, with what keeps it up (SSH connection, child process) and
 * what the agent said about itself.
 */
public record Remote(String display, Session session, AutoCloseable link, SysInfo info, Instant since) {
  public void close() {
    session.close();
    try {
      link.close();
    } catch (Exception ignored) {
      // the link may already be down, which is often why we close
    }
  }
}
