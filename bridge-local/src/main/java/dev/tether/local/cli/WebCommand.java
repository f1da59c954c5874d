package dev.tether.local.cli;

import com.google.gson.JsonObject;
import dev.tether.adapters.ws.HostRule;
import dev.tether.local.TetherException;
import dev.tether.local.connect.AgentJar;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.daemon.Ui;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.local.web.Tickets;
import dev.tether.local.web.WebServer;
import dev.tether.local.web.WorkbenchAssets;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether web DESTINATION}: serves the workbench page on a loopback address and gives each of its
 * WebSockets a raw transport to the agent of DESTINATION (docs/CLIENTS.md "In a browser"). Prints a
 * one-time URL; runs until interrupted.
 */
@Command(name = "web", description = "Open DESTINATION in a browser on this machine: files, an editor with a language server, a terminal.")
final class WebCommand implements Callable<Integer> {
  /** How long the printed link works; a system property for tests only. */
  static final String TICKET_SECONDS_PROPERTY = "tether.web.ticketSeconds";

  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION", description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
      description = "loopback address to serve on (default 127.0.0.1:0, a free port)")
  String listen;

  @Option(names = "--workspace", paramLabel = "DIR",
      description = "absolute directory on the host the page shows (default: the current directory for local, else the host user's home)")
  String workspace;

  @Option(names = "--open", description = "open the link in the default browser (xdg-open)")
  boolean open;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String[] address = hostAndPort(listen);
    if (address == null) {
      err.println("tether: --listen takes HOST:PORT (e.g. 127.0.0.1:8080), not '" + listen + "'");
      return 2;
    }
    if (!HostRule.isLoopback(address[0])) {
      err.println("tether: --listen " + listen + " is not a loopback address: tether web serves this machine's"
          + " browsers only (127.0.0.1, ::1 or localhost); the page gives whoever reaches it your files and a shell");
      return 2;
    }
    WorkbenchAssets assets = WorkbenchAssets.load();
    RemoteSpec remote = connection.spec(destination);
    AgentLauncher launcher = new AgentLauncher(AgentJar.locate(), SshEnvironment.system());
    Duration lifetime = Duration.ofSeconds(Long.getLong(TICKET_SECONDS_PROPERTY, 60));
    WebServer server;
    try {
      server = WebServer.start(address[0], Integer.parseInt(address[1]), new Tickets(Clock.systemUTC(), lifetime), assets,
          () -> launcher.rawTransport(remote, Ui.none()), config());
    } catch (IOException e) {
      throw new TetherException(e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "tether-web-stop"));
    URI url = server.ticketUrl();
    out.println("tether web: serving " + destination + " at " + server.origin());
    out.println("open " + url + " (works once, within " + lifetime.toSeconds() + " s; Ctrl-C stops)");
    out.flush();
    if (open) {
      openBrowser(url, err);
    }
    stopped.await();
    return 0;
  }

  private String config() {
    JsonObject config = new JsonObject();
    config.addProperty("destination", destination);
    String dir = workspace;
    if (dir == null && "local".equals(destination) && connection.via == null) {
      dir = Path.of("").toAbsolutePath().toString();
    }
    if (dir != null) {
      config.addProperty("workspace", dir);
    }
    return config.toString();
  }

  /** HOST:PORT, [V6]:PORT; null when malformed. */
  static String[] hostAndPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      return null;
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = value.substring(colon + 1);
    try {
      int n = Integer.parseInt(port);
      return n < 0 || n > 65535 ? null : new String[] {host, port};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void openBrowser(URI url, PrintWriter err) {
    try {
      new ProcessBuilder("xdg-open", url.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      err.println("tether: cannot run xdg-open (" + e.getMessage() + "): open the link above in a browser on this"
          + " machine, or install xdg-utils");
      err.flush();
    }
  }
}
