package dev.tether.local.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.InMemoryTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ui channels a daemon opens to a command, over two in-memory sessions as in the daemon (the
 * command initiates, the daemon accepts and opens ui channels back).
 */
class UiTest {
  private static final int CHANNELS = 16;
  private final LinkedBlockingQueue<String> shown = new LinkedBlockingQueue<>();
  private final List<Session> sessions = new ArrayList<>();

  @AfterEach
  void close() {
    sessions.forEach(Session::close);
  }

  @Test
  void everyNoticeChannelIsClosedByBothSidesSoNoticesNeverRunOutOfChannels() throws Exception {
    InMemoryTransport.Link link = InMemoryTransport.pair();
    SessionRegistry daemonSide = new SessionRegistry(SessionConfig.defaults().withMaxChannels(CHANNELS));
    CompletableFuture<Session> daemon = CompletableFuture.supplyAsync(() -> {
      try {
        return daemonSide.accept(link.acceptor());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Session command = Session.connect(link.initiator(), SessionConfig.defaults()
        .withAcceptor(request -> Ui.serve(request.accept(), Progress.lines(line -> { }), shown::add, null)));
    sessions.add(command);
    Session toCommand = daemon.get(10, TimeUnit.SECONDS);
    sessions.add(toCommand);
    // More notices than the daemon's channel limit: were a channel left half-open, later ones would
    // be refused (in the daemon it was its receive budget, spent on 1 MiB windows, that ran out).
    int notices = CHANNELS * 3;
    for (int i = 0; i < notices; i++) {
      Ui ui = new Ui(toCommand);
      ui.notice("notice " + i);
      ui.close();
      assertEquals("notice " + i, shown.poll(10, TimeUnit.SECONDS), "notice " + i + " shown");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (toCommand.stats().channels() > 0 || command.stats().channels() > 0) {
      assertTrue(System.nanoTime() < deadline, "ui channels still open: daemon " + toCommand.stats().channels()
          + ", command " + command.stats().channels());
      Thread.sleep(5); // polls the sessions' channel counts, bounded by the deadline
    }
  }
}
