package dev.tether.local.daemon;

import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.connect.Remote;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session per destination, shared by every command that asks for it: ten editor windows and
 * five language servers on one host use one SSH connection. Concurrent first requests wait for the
 * same connection attempt; a failed attempt is forgotten so the next request tries again.
 */
final class RemoteSessions {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteSessions.class);

  private final AgentLauncher launcher;
  private final Map<String, CompletableFuture<Remote>> byKey = new ConcurrentHashMap<>();

  RemoteSessions(AgentLauncher launcher) {
    this.launcher = launcher;
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

  private Remote connect(RemoteSpec spec, Ui ui, String key, CompletableFuture<Remote> slot) throws IOException {
    try {
      Remote remote = launcher.connect(spec, ui, new SessionListener() {
        @Override
        public void onDetached(Session session, String reason) {
          // Reconnection is future work: for now a lost transport ends the session with its reason.
          session.close(ErrorCode.NO_ERROR, "connection to " + spec + " lost: " + reason);
        }

        @Override
        public void onClosed(Session session, ErrorCode code, String reason) {
          LOG.info("session with {} ended: {} {}", spec, code, reason);
          CompletableFuture<Remote> current = byKey.get(key);
          if (current != null && current.isDone() && !current.isCompletedExceptionally()
              && current.join().session() == session) {
            byKey.remove(key, current);
            current.join().close();
          }
        }
      });
      LOG.info("connected to {} (agent {}, pid {})", remote.display(), remote.info().agentVersion, remote.info().pid);
      slot.complete(remote);
      return remote;
    } catch (IOException | RuntimeException e) {
      byKey.remove(key, slot);
      slot.completeExceptionally(e);
      throw e;
    }
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

  void closeAll() {
    for (Remote remote : list()) {
      remote.close();
    }
    byKey.clear();
  }
}
