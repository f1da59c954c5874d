package dev.tether.local.daemon;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.sys.SysClient;
import dev.tether.adapters.sys.SysService;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.connect.Remote;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session per destination, shared by every command that asks for it: ten editor windows and
 * five language servers on one host use one SSH connection. Concurrent first requests wait for the
 * same connection attempt; a failed attempt is forgotten so the next request tries again. A session
 * whose SSH connection drops is resumed over a new one (see {@link #reconnect}).
 */
final class RemoteSessions {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteSessions.class);

  private static final Duration MAX_PAUSE = Duration.ofSeconds(15);

  private final AgentLauncher launcher;
  private final BiConsumer<Remote, String> notices;
  private final Map<String, CompletableFuture<Remote>> byKey = new ConcurrentHashMap<>();
  private volatile SessionRecords records = SessionRecords.none();

  /** {@code notices} tells the commands using a host about its connection (lost, reconnected). */
  RemoteSessions(AgentLauncher launcher, BiConsumer<Remote, String> notices) {
    this.launcher = launcher;
    this.notices = notices;
  }

  /** From now on, the sessions held are recorded in {@code records}; the caller holds the daemon lock. */
  void recordIn(SessionRecords records) {
    this.records = records;
  }

  Remote get(RemoteSpec spec, Ui ui) throws IOException {
    String key = spec.key();
    while (true) {
      CompletableFuture<Remote> mine = new CompletableFuture<>();
      CompletableFuture<Remote> existing = byKey.putIfAbsent(key, mine);
      if (existing == null) {
        return connect(spec, ui, key, mine);
      }
      Remote remote = await(existing);
      if (remote != null && remote.session().state() == Session.State.ATTACHED) {
        return remote;
      }
      byKey.remove(key, existing); // failed or gone: try afresh
    }
  }

  /**
   * The session with {@code spec}'s host if one is up or being resumed, without connecting: null when
   * there is none (or its first connection is still under way).
   */
  Remote connected(RemoteSpec spec) {
    CompletableFuture<Remote> future = byKey.get(spec.key());
    if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
      return null;
    }
    Remote remote = future.join();
    return remote.session().state() == Session.State.CLOSED ? null : remote;
  }

  private Remote connect(RemoteSpec spec, Ui ui, String key, CompletableFuture<Remote> slot) throws IOException {
    try {
      Remote remote = launcher.connect(spec, ui, new SessionListener() {
        @Override
        public void onDetached(Session session, String reason) {
          if (!AgentLauncher.canResume(spec)) {
            // A child process or --via command took the agent with it: nothing is left to resume.
            session.close(ErrorCode.NO_ERROR, "connection to " + spec + " lost: " + reason);
            return;
          }
          CompletableFuture<Remote> current = byKey.get(key);
          if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
            Remote remote = current.join();
            if (remote.session() == session) {
              Thread thread = new Thread(() -> reconnect(spec, remote, reason), "reconnect " + spec);
              thread.setDaemon(true);
              thread.start();
            }
          }
        }

        @Override
        public void onResumed(Session session) {
          LOG.info("session with {} resumed", spec);
        }

        @Override
        public void onClosed(Session session, ErrorCode code, String reason) {
          LOG.info("session with {} ended: {} {}", spec, code, reason);
          records.ended(session.id());
          CompletableFuture<Remote> current = byKey.get(key);
          if (current != null && current.isDone() && !current.isCompletedExceptionally()
              && current.join().session() == session) {
            byKey.remove(key, current);
            current.join().close();
          }
        }
      });
      LOG.info("connected to {} (agent {}, pid {})", remote.display(), remote.info().agentVersion, remote.info().pid);
      records.held(key, remote.session().id());
      abandonOrphans(spec, remote, records.takeOrphaned(key));
      slot.complete(remote);
      return remote;
    } catch (IOException | RuntimeException e) {
      byKey.remove(key, slot);
      slot.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * Has the host close the sessions a killed daemon left with it ({@code sys/abandon}), off the
   * caller's thread: the command that connected need not wait for it.
   */
  private static void abandonOrphans(RemoteSpec spec, Remote remote, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    Thread thread = new Thread(() -> {
      try {
        Channel channel = remote.session().open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
        try {
          int closed = SysClient.over(channel).abandon(new SysService.AbandonRequest(ids)).get(30, TimeUnit.SECONDS);
          LOG.info("{} closed {} of the {} session(s) a previous daemon left: {}", spec, closed, ids.size(), ids);
        } finally {
          channel.close();
        }
      } catch (Exception e) {
        LOG.info("cannot have {} close the sessions a previous daemon left ({}): {}", spec, ids, e.toString());
      }
    }, "abandon " + spec);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Reconnects until the session is resumed or gone: the first attempt at once, then with a doubling
   * pause up to {@link #MAX_PAUSE}. The session itself gives up after its detached timeout, closing
   * every channel with the reason; until then commands just see their channels wait. Commands that
   * use the host are told both ways, so editors can show it.
   */
  private void reconnect(RemoteSpec spec, Remote remote, String reason) {
    LOG.info("connection to {} lost: {}", spec, reason);
    notices.accept(remote, "connection to " + remote.display() + " lost (" + forUsers(reason) + "); reconnecting");
    Duration pause = Duration.ofMillis(250);
    int attempt = 0;
    while (remote.session().state() == Session.State.DETACHED) {
      attempt++;
      try {
        launcher.resume(spec, remote);
        LOG.info("reconnected to {} after {} attempt(s)", spec, attempt);
        notices.accept(remote, "reconnected to " + remote.display() + "; nothing was lost");
        return;
      } catch (dev.tether.mux.MuxException e) {
        if (remote.session().state() == Session.State.CLOSED) {
          LOG.info("cannot resume the session with {}: {}", spec, e.getMessage());
          return; // the agent no longer had it; the close reached every channel with the reason
        }
        LOG.info("reconnect attempt {} to {} failed: {}", attempt, spec, e.getMessage());
      } catch (IOException | RuntimeException e) {
        LOG.info("reconnect attempt {} to {} failed: {}", attempt, spec, e.getMessage());
      }
      try {
        Thread.sleep(pause.toMillis()); // back off between attempts on a host that is away
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
    }
  }

  /**
   * Why a connection dropped, in words for the editor: an I/O failure's own message names the SSH
   * library's internals ({@code Already closed: RemoteWindow[client](ChannelExec[id=2…])}), which
   * only the daemon log keeps.
   */
  static String forUsers(String reason) {
    if (reason.startsWith("write failed")) {
      return "the connection broke while sending";
    }
    if (reason.startsWith("read failed")) {
      return "the connection broke while receiving";
    }
    return reason;
  }

  private static Remote await(CompletableFuture<Remote> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while connecting");
    } catch (ExecutionException e) {
      return null; // the other requester reports that failure; this one tries again
    }
  }

  List<Remote> list() {
    List<Remote> out = new ArrayList<>();
    for (CompletableFuture<Remote> future : byKey.values()) {
      if (future.isDone() && !future.isCompletedExceptionally()) {
        out.add(future.join());
      }
    }
    return out;
  }

  /** The key ({@link RemoteSpec#key}) {@code remote} is held under, or null once it is no longer held. */
  String keyOf(Remote remote) {
    for (Map.Entry<String, CompletableFuture<Remote>> entry : byKey.entrySet()) {
      CompletableFuture<Remote> future = entry.getValue();
      if (future.isDone() && !future.isCompletedExceptionally() && future.join() == remote) {
        return entry.getKey();
      }
    }
    return null;
  }

  void closeAll() {
    for (Remote remote : list()) {
      remote.close();
    }
    byKey.clear();
  }
}
