package dev.tether.local.cli;

import dev.tether.adapters.ws.ConnectionToken;
import dev.tether.local.TetherException;
import dev.tether.local.conformance.peer.ReferencePeer;
import dev.tether.local.conformance.peer.Scenario;
import dev.tether.local.conformance.peer.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tether conformance peer --listen ws://127.0.0.1:PORT}: plays the reference agent for a client
 * under test until it is stopped, printing the URL, then one line per connection saying what the client
 * did right or wrong.
 */
@Command(name = "peer", description = "Play the reference agent on a loopback WebSocket for a client under test,"
    + " with scripted misbehaviour per connection (path /scenario/NAME); one line per connection.")
final class ConformancePeerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--listen", paramLabel = "ws://127.0.0.1:PORT", description = "loopback address to listen on"
      + " (port 0: any free port; the URL is printed)")
  String listen;

  @Option(names = "--scenario", paramLabel = "NAME", description = "what connections to / play, in turn (repeatable;"
      + " default normal); /scenario/NAME picks one per connection")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--token-file", paramLabel = "FILE", description = "the connection token (made 0600 when missing;"
      + " default ~/.tether/conformance-peer.token)")
  Path tokenFile;

  @Option(names = "--allow-origin", paramLabel = "ORIGIN", description = "let a browser page of this origin connect"
      + " (repeatable; none by default)")
  List<String> allowOrigins = new ArrayList<>();

  @Option(names = "--list", description = "list the scenarios without listening")
  boolean list;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      for (Scenario scenario : Scenario.values()) {
        out.printf("%-14s %-12s %s%n", scenario.label(), scenario.section(), scenario.title());
      }
      out.flush();
      return 0;
    }
    URI uri = listenUri();
    Path token = tokenFile != null ? tokenFile
        : Path.of(System.getProperty("user.home"), ".tether", "conformance-peer.token");
    ReferencePeer.Settings settings = new ReferencePeer.Settings(host(uri), uri.getPort(), allowOrigins, atRoot());
    ReferencePeer peer = ReferencePeer.start(settings, ConnectionToken.loadOrCreate(token), verdict -> print(out, verdict));
    synchronized (out) {
      out.println("listening on " + peer.url() + " (token file " + token.toAbsolutePath() + "; scenarios at "
          + peer.url().replaceAll("/$", "") + ReferencePeer.SCENARIO_PATH + "NAME: " + Scenario.labels() + ")");
      out.flush();
    }
    new CountDownLatch(1).await(); // until the process is stopped
    return 0;
  }

  private static void print(PrintWriter out, Verdict verdict) {
    synchronized (out) {
      out.println(verdict.line());
      out.flush();
    }
  }

  private URI listenUri() throws TetherException {
    if (listen == null) {
      throw new TetherException("conformance peer needs --listen ws://127.0.0.1:PORT (port 0 for any free port)");
    }
    try {
      URI uri = new URI(listen);
      if (!"ws".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
        throw new TetherException("--listen takes ws://HOST:PORT with a loopback HOST, not '" + listen + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new TetherException("--listen takes ws://HOST:PORT, not '" + listen + "': " + e.getReason());
    }
  }

  private static String host(URI uri) {
    String host = uri.getHost();
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private List<Scenario> atRoot() throws TetherException {
    List<Scenario> out = new ArrayList<>();
    for (String name : scenarios) {
      Scenario scenario = Scenario.byLabel(name);
      if (scenario == null) {
        throw new TetherException("no scenario '" + name + "'; the scenarios are " + Scenario.labels());
      }
      out.add(scenario);
    }
    return out.isEmpty() ? List.of(Scenario.NORMAL) : out;
  }
}
