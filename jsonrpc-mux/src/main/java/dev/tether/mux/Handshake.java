package dev.tether.mux;

import dev.tether.mux.internal.Hello;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The hello exchange that precedes every transport of a session, with its timeout and checks. */
final class Handshake {
  private Handshake() {}

  interface Step<T> {
    T run() throws IOException;
  }

  /** Initiator: sends our hello, then reads and checks the acceptor's. */
  static Hello initiate(Transport transport, Hello mine, SessionConfig config) throws IOException {
    return withTimeout(transport, config, () -> {
      IOException writeFailure = null;
      try {
        mine.writeTo(transport.output());
      } catch (IOException e) {
        writeFailure = e; // what the peer said before hanging up explains more than a broken pipe
      }
      Hello theirs;
      try {
        theirs = Hello.readFrom(transport.input());
      } catch (IOException readFailure) {
        boolean diagnosis = readFailure instanceof NotTetherException;
        throw writeFailure != null && !diagnosis ? writeFailure : readFailure;
      }
      if (writeFailure != null) {
        throw writeFailure;
      }
      return check(theirs, transport);
    });
  }

  /** Acceptor: reads the initiator's hello (the caller answers it). */
  static Hello receive(Transport transport, SessionConfig config) throws IOException {
    return withTimeout(transport, config, () -> Hello.readFrom(transport.input()));
  }

  static Hello check(Hello theirs, Transport transport) throws MuxException {
    if (theirs.isError()) {
      throw new MuxException(theirs.errorCode(), theirs.errorReason());
    }
    if (theirs.major() != Hello.MAJOR) {
      throw new MuxException(ErrorCode.VERSION_MISMATCH, versionMismatch(theirs, transport));
    }
    return theirs;
  }

  static String versionMismatch(Hello theirs, Transport transport) {
    return transport.description() + " speaks Tether protocol " + theirs.major() + "." + theirs.minor()
        + " (" + theirs.agent() + "), this side speaks " + Hello.MAJOR + "." + Hello.MINOR
        + "; install the same Tether version on both sides";
  }

  static Set<String> intersect(Set<String> ours, Set<String> theirs) {
    Set<String> both = new LinkedHashSet<>(ours);
    both.retainAll(theirs);
    return both;
  }

  private static <T> T withTimeout(Transport transport, SessionConfig config, Step<T> step) throws IOException {
    AtomicBoolean expired = new AtomicBoolean();
    Scheduler.Cancellable timer = config.scheduler().schedule(() -> {
      expired.set(true);
      transport.close();
    }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    try {
      return step.run();
    } catch (IOException e) {
      transport.close(); // a transport whose handshake failed carries nothing more
      if (expired.get()) {
        throw new MuxException(ErrorCode.PROTOCOL_ERROR, "no Tether hello from " + transport.description()
            + " within " + config.handshakeTimeout().toSeconds() + " s");
      }
      throw e;
    } finally {
      timer.cancel();
    }
  }
}
