package dev.tether.adapters.ports;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Forwards the ports that start listening on the host after it starts. It polls {@code ports/list}
 * (Linux offers no cheap notification for "a socket started listening"; one listing a second costs
 * the host a walk of /proc). A port counts when something listens on it on the host's loopback or on
 * every address; the ports already listening at the start, the agent's own (reverse-forward
 * listeners) and this process's own (when the host is this machine) are left alone. A forwarded port
 * that stops listening on the host stops being forwarded. Each new forward keeps the host's port
 * number locally when it is free, else takes a free one.
 *
 * <p>Threading: polls run on one scheduler thread; {@code events} is called from it (and from the
 * forwards' threads for refused connections). {@link #close} waits for a poll in progress.
 */
public final class AutoForward implements AutoCloseable {
  private final Ports ports;
  private final PortsClient client;
  private final InetAddress bindAddress;
  private final Consumer<String> events;
  private final Set<Integer> ignored = new HashSet<>();
  private final Map<Integer, LocalForward> forwards = new HashMap<>();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "auto-forward poll");
    t.setDaemon(true);
    return t;
  });

  private AutoForward(Ports ports, PortsClient client, InetAddress bindAddress, Consumer<String> events) {
    this.ports = ports;
    this.client = client;
    this.bindAddress = bindAddress;
    this.events = events;
  }

  static AutoForward start(Ports ports, String localBindHost, Duration interval, Consumer<String> events)
      throws IOException {
    PortsClient client = ports.client();
    AutoForward auto = new AutoForward(ports, client, InetAddress.getByName(localBindHost), events);
    for (ListeningSocket socket : client.list().sockets) {
      auto.ignored.add(socket.port);
    }
    long millis = interval.toMillis();
    auto.poller.scheduleWithFixedDelay(auto::pollQuietly, millis, millis, TimeUnit.MILLISECONDS);
    return auto;
  }

  /** The ports forwarded right now: host port → local forward. */
  public synchronized Map<Integer, LocalForward> forwards() {
    return Map.copyOf(forwards);
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (IOException | RuntimeException e) {
      events.accept("cannot list the host's ports: " + e.getMessage());
    }
  }

  synchronized void poll() throws IOException {
    PortList list = client.list();
    long self = ProcessHandle.current().pid();
    Map<Integer, ListeningSocket> listening = new HashMap<>();
    for (ListeningSocket socket : list.sockets) {
      if (socket.loopbackReachable() && !isOurs(socket, list.agentPid, self)) {
        listening.putIfAbsent(socket.port, socket);
      }
    }
    Set<Integer> allPorts = new HashSet<>();
    list.sockets.forEach(s -> allPorts.add(s.port));
    ignored.retainAll(allPorts); // a port that was there at the start and went away counts as new when it comes back
    for (Integer port : Set.copyOf(forwards.keySet())) {
      if (!listening.containsKey(port)) {
        LocalForward gone = forwards.remove(port);
        gone.close();
        events.accept("stopped forwarding " + LocalForward.text(gone.localAddress()) + " (nothing listens on port "
            + port + " on " + ports.hostLabel() + " any more)");
      }
    }
    for (ListeningSocket socket : listening.values()) {
      if (ignored.contains(socket.port) || forwards.containsKey(socket.port)) {
        continue;
      }
      try {
        LocalForward forward = ports.forward(new InetSocketAddress(bindAddress, socket.port), true, null, socket.port,
            events);
        forwards.put(socket.port, forward);
        events.accept("forwarding " + LocalForward.text(forward.localAddress()) + " -> " + ports.hostLabel() + ":" + socket.port
            + " (auto: " + (socket.command == null ? "process not visible" : socket.command)
            + (socket.pid == null ? "" : ", pid " + socket.pid) + ")");
      } catch (IOException e) {
        ignored.add(socket.port);
        events.accept("cannot forward port " + socket.port + ": " + e.getMessage());
      }
    }
  }

  /** The agent's listeners, and ours when the host is this very machine (else we would chase our own tail). */
  private static boolean isOurs(ListeningSocket socket, long agentPid, long self) {
    return socket.pid != null && (socket.pid == agentPid || socket.pid == self);
  }

  @Override
  public synchronized void close() {
    poller.shutdownNow();
    forwards.values().forEach(LocalForward::close);
    forwards.clear();
    client.close();
  }
}
