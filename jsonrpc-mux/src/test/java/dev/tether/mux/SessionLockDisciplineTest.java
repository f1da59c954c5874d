package dev.tether.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.testing.FakeScheduler;
import dev.tether.mux.testing.ScriptedPeer;
import dev.tether.mux.transport.InMemoryTransport;
import dev.tether.mux.transport.Transport;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session's rule "no logging and no transport close under the session lock", observed: every log
 * line (slf4j-simple writes to {@code System.err}, looked up at each line) and every transport close
 * records whether the thread doing it held the session's lock, across the paths that log and close:
 * a session-scoped protocol error, a GOAWAY from the peer, a lost transport.
 */
class SessionLockDisciplineTest {
  private final FakeScheduler clock = new FakeScheduler();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private PrintStream originalErr;
  private volatile Session session;
  private ScriptedPeer peer;
  private WatchedTransport transport;

  @BeforeEach
  void watchTheLog() {
    originalErr = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public synchronized void write(int b) {
        if (b == '\n') {
          record(line.toString());
          line.setLength(0);
        } else {
          line.append((char) b);
        }
      }
    }, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(originalErr);
    if (session != null) {
      session.close();
    }
    if (peer != null) {
      peer.close();
    }
  }

  private void record(String line) {
    Session s = session;
    if (s != null && line.contains("locked-test")) {
      lines.add(line);
      if (s.lock.isHeldByCurrentThread()) {
        violations.add("logged under the session lock: " + line);
      }
    }
  }

  private void connect(SessionConfig config) throws Exception {
    InMemoryTransport.Link link = InMemoryTransport.pair();
    peer = new ScriptedPeer(link.acceptor());
    transport = new WatchedTransport(link.initiator());
    CompletableFuture<Session> connecting = CompletableFuture.supplyAsync(() -> {
      try {
        return Session.connect(transport, config);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    peer.acceptHandshake(32 * 1024);
    session = connecting.get(5, TimeUnit.SECONDS);
  }

  private SessionConfig config(String name) {
    return SessionConfig.defaults().withName("locked-test-" + name).withScheduler(clock)
        .withListener(new SessionListener() {
          @Override
          public void onClosed(Session s, ErrorCode code, String reason) {
            ended.countDown();
          }

          @Override
          public void onDetached(Session s, String reason) {
            ended.countDown();
          }
        });
  }

  @Test
  void aSessionProtocolErrorLogsAndClosesOffTheLock() throws Exception {
    connect(config("gap"));
    peer.skipSeq(); // a sequence gap: the session closes with a GOAWAY and a WARN line
    peer.data(41, new byte[1]);
    assertEquals(FrameType.GOAWAY, peer.expect(FrameType.GOAWAY).type());
    assertTrue(ended.await(5, TimeUnit.SECONDS));
    assertTrue(transport.closed.await(5, TimeUnit.SECONDS), "the transport was closed");
    awaitLine("closing session");
    assertEquals(List.of(), violations);
  }

  @Test
  void aGoawayFromThePeerLogsAndClosesOffTheLock() throws Exception {
    connect(config("goaway"));
    peer.send(FrameType.GOAWAY, 0, Payloads.error(ErrorCode.NO_ERROR, "bye"));
    assertTrue(ended.await(5, TimeUnit.SECONDS));
    assertTrue(transport.closed.await(5, TimeUnit.SECONDS), "the transport was closed");
    awaitLine("peer closed the session");
    assertEquals(List.of(), violations);
  }

  @Test
  void aLostTransportDetachesAndClosesOffTheLock() throws Exception {
    connect(config("detach"));
    peer.close(); // the session reads the end of its transport and detaches (it is resumable)
    assertTrue(ended.await(5, TimeUnit.SECONDS));
    assertTrue(transport.closed.await(5, TimeUnit.SECONDS), "the old transport was closed");
    awaitLine("transport detached");
    assertEquals(List.of(), violations);
  }

  /** Log lines are written by the session's event executor: wait for the one expected (bounded). */
  private void awaitLine(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (lines.stream().noneMatch(line -> line.contains(text)) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    assertTrue(lines.stream().anyMatch(line -> line.contains(text)), "no log line with '" + text + "': " + lines);
  }

  /** A transport whose close records whether the closing thread held the session's lock. */
  private final class WatchedTransport implements Transport {
    final CountDownLatch closed = new CountDownLatch(1);
    private final Transport inner;

    WatchedTransport(Transport inner) {
      this.inner = inner;
    }

    @Override
    public InputStream input() {
      return inner.input();
    }

    @Override
    public OutputStream output() {
      return inner.output();
    }

    @Override
    public void close() {
      Session s = session;
      if (s != null && s.lock.isHeldByCurrentThread()) {
        violations.add("transport closed under the session lock by " + Thread.currentThread().getName());
      }
      inner.close();
      closed.countDown();
    }

    @Override
    public String description() {
      return "watched " + inner.description();
    }
  }
}
