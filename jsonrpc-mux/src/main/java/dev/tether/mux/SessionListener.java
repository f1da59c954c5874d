package dev.tether.mux;

/**
 * Hears about the session's life. Called on a session worker thread, in order, one call at a time.
 */
public interface SessionListener {
  /** The transport broke; channels stay open and the session waits for {@code resume}. */
  default void onDetached(Session session, String reason) {}

  /** A new transport carries the session again; nothing was lost. */
  default void onResumed(Session session) {}

  /** The session ended for good; {@code code} and {@code reason} say why. */
  default void onClosed(Session session, ErrorCode code, String reason) {}

  SessionListener NONE = new SessionListener() {};
}
