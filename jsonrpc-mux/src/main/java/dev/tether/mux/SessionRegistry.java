package dev.tether.mux;

import dev.tether.mux.internal.Hello;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The acceptor's side of sessions: turns each incoming transport into a new session or, when the
 * hello asks to resume, re-attaches the session it names. Sessions are forgotten when they close.
 *
 * <p>Thread-safe: transports may be accepted concurrently.
 */
public final class SessionRegistry {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SessionConfig config;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  public SessionRegistry(SessionConfig config) {
    SessionListener user = config.listener();
    this.config = config.withListener(new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {
        user.onDetached(session, reason);
      }

      @Override
      public void onResumed(Session session) {
        user.onResumed(session);
      }

      @Override
      public void onClosed(Session session, ErrorCode code, String reason) {
        sessions.remove(session.id());
        user.onClosed(session, code, reason);
      }
    });
  }

  /**
   * Runs the acceptor's half of the handshake on {@code transport}. Returns the new or resumed session.
   *
   * @throws MuxException when the hello is refused (version, unknown session); the initiator was told why
   */
  public Session accept(Transport transport) throws IOException {
    Hello theirs;
    try {
      theirs = Handshake.receive(transport, config);
    } catch (IOException e) {
      transport.close();
      throw e;
    }
    if (theirs.major() != Hello.MAJOR) {
      throw refuse(transport, ErrorCode.VERSION_MISMATCH, Handshake.versionMismatch(theirs, transport));
    }
    if (theirs.isError()) {
      throw refuse(transport, ErrorCode.PROTOCOL_ERROR, "an initiator sent an error hello: " + theirs.errorReason());
    }
    if (theirs.isResume()) {
      return resume(transport, theirs);
    }
    byte[] id = random(16);
    byte[] token = random(32);
    Session session = Session.accepted(transport, config.withName(config.name() + "-" + hex(id).substring(0, 8)),
        theirs, id, token);
    sessions.put(session.id(), session);
    return session;
  }

  private Session resume(Transport transport, Hello theirs) throws IOException {
    Session session = sessions.get(hex(theirs.sessionId()));
    if (session == null || !session.resumable() || theirs.resumeToken() == null
        || !MessageDigest.isEqual(session.resumeTokenBytes(), theirs.resumeToken())) {
      throw refuse(transport, ErrorCode.UNKNOWN_SESSION, "session " + hex(theirs.sessionId())
          + " is not known here (it expired or the agent restarted); start a new session");
    }
    session.resumeAccepted(transport, theirs);
    return session;
  }

  private MuxException refuse(Transport transport, ErrorCode code, String reason) {
    try {
      Hello.error(config.agent(), code, reason).writeTo(transport.output());
    } catch (IOException ignored) {
      // The initiator may have gone already; it is refused either way.
    }
    transport.close();
    return new MuxException(code, reason);
  }

  public List<Session> sessions() {
    return new ArrayList<>(sessions.values());
  }

  public void closeAll(ErrorCode code, String reason) {
    for (Session session : sessions()) {
      session.close(code, reason);
    }
  }

  private static byte[] random(int n) {
    byte[] out = new byte[n];
    RANDOM.nextBytes(out);
    return out;
  }

  static String hex(byte[] bytes) {
    return bytes == null ? "" : HexFormat.of().formatHex(bytes);
  }
}
