package dev.tether.bench;

import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshConnection;
import dev.tether.local.ssh.SshConnector;
import dev.tether.local.ssh.SshDestination;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.local.ssh.SshOptions;
import dev.tether.local.ws.WsConnector;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.StreamTransport;
import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.remote.ws.TlsCertificate;
import dev.tether.remote.ws.WsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One harness, one run, for every route to the host on loopback: a direct TCP socket with no session,
 * plain OpenSSH ({@code ssh host cat}, {@code ssh host head -c N /dev/zero}), and a Tether session over
 * plain TCP, over SSH (the daemon's SSH client, MINA, to Debian's sshd, which runs the session's far end
 * as a command) and over a WebSocket, ws and wss (the agent's Jetty endpoint and the daemon's Jetty
 * client; wss with the self-signed certificate pinned). Each route: the round trip of a 64-byte message
 * echoed, and the throughput of reading N MiB from the host. Routes alternate within each run, so each
 * sees the same background load; the table gives the median of the runs. Markdown on stdout, progress
 * on stderr.
 *
 * <pre>java -cp ... dev.tether.bench.WsBench [--samples N] [--mib N] [--runs N] [--only NAME,...]</pre>
 *
 * <p>{@code --peer}: the session's far end on stdin/stdout (what sshd runs for the SSH route).
 */
public final class WsBench {
  private static final List<String> ROUTES = List.of("tcp", "openssh", "session-tcp", "session-ssh", "ws", "wss");

  private final Map<String, String> names = new LinkedHashMap<>();
  private final Map<String, List<Figures>> results = new LinkedHashMap<>();
  private final int samples;
  private final long bytes;

  private WsBench(int samples, long bytes) {
    this.samples = samples;
    this.bytes = bytes;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--peer")) {
      BenchPeer.serveStdio();
      return;
    }
    int samples = 3000;
    int mib = 1024;
    int runs = 3;
    List<String> only = ROUTES;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--samples" -> samples = Integer.parseInt(args[++i]);
        case "--mib" -> mib = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--only" -> only = List.of(args[++i].split(","));
        default -> {
          System.err.println("usage: WsBench [--samples N (3000)] [--mib N (1024)] [--runs N (3)] [--only "
              + String.join(",", ROUTES) + "]");
          System.exit(2);
        }
      }
    }
    String loadBefore = loadAverage();
    ZonedDateTime when = ZonedDateTime.now(ZoneOffset.UTC);
    WsBench bench = new WsBench(samples, mib * 1024L * 1024L);
    try (Routes routes = new Routes()) {
      // Ended by a signal (a timeout, ^C), the sshd fixture must not outlive the bench.
      Runtime.getRuntime().addShutdownHook(new Thread(routes::closeQuietly, "ws-bench-cleanup"));
      for (int run = 1; run <= runs; run++) {
        for (String route : only) {
          progress("run " + run + " of " + runs + ": " + route + " (load " + loadAverage() + ")");
          bench.measure(route, routes);
        }
      }
    }
    System.out.print(bench.render(when, loadBefore, loadAverage(), runs));
    System.exit(0);
  }

  private void measure(String route, Routes routes) throws Exception {
    try (WsBenchRoute endpoint = routes.open(route)) {
      names.put(route, endpoint.name());
      long[] nanos = new long[samples];
      byte[] message = new byte[64];
      for (int i = -samples / 5; i < samples; i++) { // a fifth more as warm-up
        long t0 = System.nanoTime();
        endpoint.roundTrip(message);
        if (i >= 0) {
          nanos[i] = System.nanoTime() - t0;
        }
      }
      endpoint.beforeRead();
      long t0 = System.nanoTime();
      long read = endpoint.read(bytes);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (read != bytes) {
        throw new IllegalStateException(route + ": " + read + " of " + bytes + " bytes arrived");
      }
      java.util.Arrays.sort(nanos);
      results.computeIfAbsent(route, k -> new ArrayList<>()).add(new Figures(nanos[samples / 2] / 1e3,
          nanos[(int) (samples * 0.99)] / 1e3, (bytes >> 20) / seconds));
    }
  }

  /** One run's figures of one route: round trip p50 and p99 in µs, read throughput in MiB/s. */
  private record Figures(double p50, double p99, double mibPerSecond) {}

  private String render(ZonedDateTime when, String loadBefore, String loadAfter, int runs) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s UTC, %d run(s), %d round trips of 64 bytes each (after %d warm-up),"
        + " %d MiB read; 1-minute load average %s before, %s after.%n%n", when.toLocalDateTime().withNano(0)
        .toString().replace('T', ' '), runs, samples, samples / 5, bytes >> 20, loadBefore, loadAfter));
    out.append("| route | round trip p50 | p99 | read MiB/s | runs (MiB/s) | p50 ÷ OpenSSH | MiB/s ÷ OpenSSH |\n");
    out.append("|---|---|---|---|---|---|---|\n");
    Figures ssh = results.containsKey("openssh") ? median(results.get("openssh")) : null;
    results.forEach((route, runsOf) -> {
      Figures m = median(runsOf);
      out.append(String.format(Locale.ROOT, "| %s | %.0f µs | %.0f µs | %.0f | %s | %s | %s |%n", names.get(route), m.p50,
          m.p99, m.mibPerSecond, String.join(", ", runsOf.stream().map(f -> String.format(Locale.ROOT, "%.0f", f.mibPerSecond))
              .toList()), ssh == null ? "" : String.format(Locale.ROOT, "%.2f×", m.p50 / ssh.p50),
          ssh == null ? "" : String.format(Locale.ROOT, "%.2f×", m.mibPerSecond / ssh.mibPerSecond)));
    });
    return out.toString();
  }

  private static Figures median(List<Figures> runs) {
    return new Figures(median(runs.stream().mapToDouble(Figures::p50).toArray()),
        median(runs.stream().mapToDouble(Figures::p99).toArray()),
        median(runs.stream().mapToDouble(Figures::mibPerSecond).toArray()));
  }

  private static double median(double[] values) {
    java.util.Arrays.sort(values);
    return values[values.length / 2];
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static void progress(String line) {
    System.err.println("ws-bench: " + line);
  }

  /**
   * The far ends every route reaches, started once: a TCP echo and source, sshd on 127.0.0.1, the
   * session registry of the in-process agent behind a TCP listener and behind Jetty (ws and wss).
   */
  private static final class Routes implements AutoCloseable {
    private final Path dir = Files.createTempDirectory("ws-bench-");
    private final SessionRegistry registry = new SessionRegistry(SessionConfig.defaults().withAcceptor(BenchPeer.SERVICES));
    private final ServerSocket sessionListener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final StreamEndpoints.DirectTcp direct = new StreamEndpoints.DirectTcp();
    private final String token;
    private final TlsCertificate certificate;
    private final WsServer ws;
    private final WsServer wss;
    private final OpenSshServer sshd;
    private final Path knownHosts;
    private final Path sshConfig;

    Routes() throws Exception {
      ConnectionToken tokens = ConnectionToken.loadOrCreate(dir.resolve("token"));
      token = Files.readString(dir.resolve("token")).strip();
      certificate = TlsCertificate.selfSigned(dir, List.of("127.0.0.1"));
      ws = WsServer.start(settings(false), tokens, this::accept);
      wss = WsServer.start(settings(true), tokens, this::accept);
      Threads.start("session-accept", () -> {
        try {
          while (true) {
            accept(StreamTransport.of(sessionListener.accept()));
          }
        } catch (IOException closed) {
          // the bench is over
        }
      });
      sshd = OpenSshServer.start();
      knownHosts = dir.resolve("known_hosts");
      Files.writeString(knownHosts, sshd.knownHostsLine() + "\n");
      sshConfig = dir.resolve("ssh_config");
      Files.writeString(sshConfig, "# empty: the user's ~/.ssh/config is not read here\n");
    }

    private WsServer.Settings settings(boolean tls) {
      return new WsServer.Settings("127.0.0.1", 0, tls ? certificate.keyStore() : null, tls ? certificate.password() : null,
          List.of(), List.of(), 8, Duration.ofSeconds(60));
    }

    private void accept(dev.tether.mux.transport.Transport transport) {
      try {
        registry.accept(transport);
      } catch (IOException e) {
        progress("a session was refused: " + e.getMessage());
      }
    }

    WsBenchRoute open(String route) throws Exception {
      return switch (route) {
        case "tcp" -> direct.connect();
        case "openssh" -> StreamEndpoints.openSsh(ssh());
        case "session-tcp" -> new SessionEndpoint("Tether session over TCP", Session.connect(
            StreamTransport.of(new Socket(InetAddress.getLoopbackAddress(), sessionListener.getLocalPort())),
            SessionConfig.defaults()), null);
        case "session-ssh" -> sessionOverSsh();
        case "ws", "wss" -> sessionOverWebSocket(route.equals("wss"));
        default -> throw new IllegalArgumentException("no route " + route + "; the routes are " + ROUTES);
      };
    }

    private WsBenchRoute sessionOverWebSocket(boolean tls) throws Exception {
      String url = (tls ? "wss" : "ws") + "://127.0.0.1:" + (tls ? wss : ws).port() + "/";
      WsConnector.Connected connected = WsConnector.connect(url,
          new WsConnector.Credentials(token, tls ? certificate.fingerprint() : null));
      Session session = Session.connect(connected.transport(), SessionConfig.defaults());
      return new SessionEndpoint("Tether session over " + (tls ? "wss" : "ws"), session, connected.connection());
    }

    /** The daemon's SSH client to sshd, which runs {@code WsBench --peer} (a JVM) as the session's far end. */
    private WsBenchRoute sessionOverSsh() throws Exception {
      SshConnector connector = new SshConnector(SshEnvironment.of(dir, Map.of()), Prompter.unavailable());
      SshConnection connection = connector.connect(new SshDestination(sshd.user(), "127.0.0.1", sshd.port()),
          SshOptions.builder().identity(sshd.clientKey()).option("UserKnownHostsFile", knownHosts.toString())
              .option("StrictHostKeyChecking", "yes").build());
      String javaCommand = ProcessHandle.current().info().command().orElse("java");
      String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
          .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(":"));
      dev.tether.local.ssh.RemoteProcess peer = connection.exec(javaCommand + " -XX:+UseSerialGC -cp '" + classPath + "' "
          + WsBench.class.getName() + " --peer");
      Threads.start("peer-stderr", () -> peer.stderr().transferTo(System.err));
      Session session = Session.connect(new StreamTransport(peer.stdout(), peer.stdin(), "ssh"), SessionConfig.defaults());
      return new SessionEndpoint("Tether session over SSH (MINA client, OpenSSH sshd)", session, () -> {
        peer.close();
        connection.close();
      });
    }

    private List<String> ssh() {
      return List.of("/usr/bin/ssh", "-F", sshConfig.toString(), "-p", Integer.toString(sshd.port()),
          "-i", sshd.clientKey().toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
          "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR",
          sshd.user() + "@127.0.0.1");
    }

    void closeQuietly() {
      try {
        close();
      } catch (Exception e) {
        progress("cleanup: " + e.getMessage());
      }
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Idempotent: the shutdown hook calls it again after a normal end. */
    @Override
    public void close() throws Exception {
      if (closed.getAndSet(true)) {
        return;
      }
      sessionListener.close();
      direct.close();
      ws.close();
      wss.close();
      sshd.close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The bytes of a read: zeros, written in 64 KiB pieces. */
  static void writeZeros(OutputStream out, long bytes) throws IOException {
    byte[] chunk = new byte[65536];
    for (long left = bytes; left > 0; left -= chunk.length) {
      out.write(chunk, 0, (int) Math.min(chunk.length, left));
    }
  }

  /** Reads to the end; returns how many bytes there were. */
  static long drain(InputStream in) throws IOException {
    byte[] buffer = new byte[65536];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      total += n;
    }
    return total;
  }
}
