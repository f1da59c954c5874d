package dev.tether.local.connect;

import dev.tether.adapters.sys.SysInfo;
import dev.tether.mux.Session;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A live session with one host's agent, with what keeps it up (SSH connection, child process) and
 * what the agent said about itself. After a reconnection the session is the same and the link is new.
 */
public final class Remote {
  private final String display;
  private final Session session;
  private final AtomicReference<Link> link;
  private final SysInfo info;
  private final Instant since;

  /**
   * What carries the session: the connection (SSH, or the agent's process) and the transport's own
   * closing, which the session's writer does after sending its GOAWAY; {@code route} says in one line
   * how the transport reaches the agent (for {@code tether status} and {@code tether doctor}).
   */
  record Link(AutoCloseable connection, CompletableFuture<Void> transportClosed, String route) {}

  Remote(String display, Session session, Link link, SysInfo info, Instant since) {
    this.display = display;
    this.session = session;
    this.link = new AtomicReference<>(link);
    this.info = info;
    this.since = since;
  }

  public String display() {
    return display;
  }

  public Session session() {
    return session;
  }

  public SysInfo info() {
    return info;
  }

  public Instant since() {
    return since;
  }

  /** How the current transport reaches the agent, in one line ("direct: ...", "relay: ... because ..."). */
  public String route() {
    return link.get().route();
  }

  /** Puts the link of a resumed transport in place of the broken one, which is closed. */
  void replaceLink(Link fresh) {
    closeQuietly(link.getAndSet(fresh).connection());
  }

  /**
   * Ends the session; the agent hears it (a GOAWAY) before the connection closes, so it stops the
   * session's servers at once instead of keeping them for a reconnection.
   */
  public void close() {
    session.close();
    Link current = link.get();
    try {
      current.transportClosed().get(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the writer is stuck on a dead transport: closing the connection is all that is left
    }
    closeQuietly(current.connection());
  }

  private static void closeQuietly(AutoCloseable link) {
    try {
      link.close();
    } catch (Exception ignored) {
      // the link may already be down, which is often why we close
    }
  }
}
