package dev.tether.mux.testing;

import dev.tether.mux.ChannelAcceptor;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.SessionRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An initiator session and its acceptor over transports from a {@link TransportFactory}, with the
 * ability to cut the current connection and resume on a new one, as the local bridge does after a
 * network failure.
 */
public final class SessionPair implements AutoCloseable {
  public final Session initiator;
  public final Session acceptor;
  private final TransportFactory factory;
  private final SessionRegistry registry;
  private final Semaphore initiatorDetached = new Semaphore(0);
  private TransportFactory.Connection current;

  private SessionPair(TransportFactory factory, SessionRegistry registry, Session initiator, Session acceptor,
      TransportFactory.Connection current) {
    this.factory = factory;
    this.registry = registry;
    this.initiator = initiator;
    this.acceptor = acceptor;
    this.current = current;
  }

  public static SessionPair start(TransportFactory factory, SessionConfig base, ChannelAcceptor acceptorChannels)
      throws Exception {
    SessionRegistry registry = new SessionRegistry(base.withName("acceptor").withAcceptor(acceptorChannels));
    Semaphore detached = new Semaphore(0);
    SessionConfig initiatorConfig = base.withName("initiator").withListener(new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {
        detached.release();
      }
    });
    TransportFactory.Connection connection = factory.connect();
    CompletableFuture<Session> accepting = CompletableFuture.supplyAsync(() -> {
      try {
        return registry.accept(connection.acceptor());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Session initiator = Session.connect(connection.initiator(), initiatorConfig);
    Session acceptor = accepting.get(10, TimeUnit.SECONDS);
    SessionPair pair = new SessionPair(factory, registry, initiator, acceptor, connection);
    pair.initiatorDetached.release(0);
    detachedRelay(detached, pair);
    return pair;
  }

  private static void detachedRelay(Semaphore source, SessionPair pair) {
    Thread relay = new Thread(() -> {
      try {
        while (true) {
          source.acquire();
          pair.initiatorDetached.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "detach-relay");
    relay.setDaemon(true);
    relay.start();
  }

  /** Breaks the current connection abruptly, waits until the initiator noticed, and resumes. */
  public void cutAndResume() throws Exception {
    current.cut().run();
    if (!initiatorDetached.tryAcquire(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the initiator did not notice the cut within 10 s");
    }
    TransportFactory.Connection next = factory.connect();
    CompletableFuture<Session> accepting = CompletableFuture.supplyAsync(() -> {
      try {
        return registry.accept(next.acceptor());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    initiator.resume(next.initiator());
    Session resumed = accepting.get(10, TimeUnit.SECONDS);
    if (resumed != acceptor) {
      throw new AssertionError("the acceptor made a new session instead of resuming");
    }
    current = next;
  }

  public SessionRegistry registry() {
    return registry;
  }

  @Override
  public void close() throws Exception {
    initiator.close(ErrorCode.NO_ERROR, "test over");
    acceptor.close(ErrorCode.NO_ERROR, "test over");
    current.initiator().close();
    current.acceptor().close();
  }
}
