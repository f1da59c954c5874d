package dev.tether.local.cli;

import dev.tether.adapters.ports.AutoForward;
import dev.tether.adapters.ports.LocalForward;
import dev.tether.adapters.ports.PortList;
import dev.tether.adapters.ports.Ports;
import dev.tether.adapters.ports.ReverseForward;
import dev.tether.local.TetherException;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.ssh.LocalForwards;
import dev.tether.local.ssh.SshDestination;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.mux.Session;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether forward DESTINATION [[HOST:]REMOTE_PORT[:LOCAL_PORT]]... [-R REMOTE_PORT[:LOCAL_PORT]]...
 * [--auto]}: runs in the foreground like {@code ssh -N -L}, printing each mapping on stderr, until
 * interrupted. Without port arguments (and without -R) it forwards the ssh_config {@code LocalForward}
 * lines of DESTINATION. See docs/PORTS.md.
 */
@Command(name = "forward", description = "Forward TCP ports between this machine and DESTINATION until interrupted (like ssh -N -L/-R).")
final class ForwardCommand implements Callable<Integer> {
  static final Duration AUTO_INTERVAL = Duration.ofSeconds(1);

  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Parameters(index = "1..*", paramLabel = "[HOST:]REMOTE_PORT[:LOCAL_PORT]",
      description = "listen on LOCAL_PORT here (default: REMOTE_PORT when free, else any free port) and connect to "
          + "REMOTE_PORT on the host (or HOST:REMOTE_PORT as seen from the host)")
  List<String> forwards = new ArrayList<>();

  @Option(names = {"-R", "--reverse"}, paramLabel = "REMOTE_PORT[:LOCAL_PORT]",
      description = "listen on the host's 127.0.0.1:REMOTE_PORT (0: any free port) and connect to LOCAL_PORT "
          + "(default REMOTE_PORT) on this machine's 127.0.0.1; repeatable")
  List<String> reverses = new ArrayList<>();

  @Option(names = "--auto", description = "also forward every port that starts listening on the host's loopback "
      + "from now on (checked every second)")
  boolean auto;

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "local address to listen on (default 127.0.0.1)")
  String bind = "127.0.0.1";

  /** One local forward to set up. */
  record Forward(String bindHost, Integer localPort, String remoteHost, int remotePort, String origin) {}

  @Override
  public Integer call() throws Exception {
    PrintStream stderr = System.err;
    List<Forward> local = new ArrayList<>();
    for (String text : forwards) {
      local.add(parseForward(text));
    }
    List<int[]> reverse = new ArrayList<>();
    for (String text : reverses) {
      reverse.add(parseReverse(text));
    }
    if (local.isEmpty() && reverse.isEmpty()) {
      local.addAll(configForwards());
      if (local.isEmpty() && !auto) {
        throw new ParameterException(spec.commandLine(), "nothing to forward: give REMOTE_PORT[:LOCAL_PORT], "
            + "-R REMOTE_PORT[:LOCAL_PORT] or --auto, or add LocalForward lines for " + destination + " to "
            + configFile());
      }
    }
    InetAddress bindAddress = InetAddress.getByName(bind);
    RemoteSpec remote = connection.spec(destination);
    try (DaemonClient daemon = Daemons.connect()) {
      Ports ports = new Ports(daemon.opener(remote), destination);
      Consumer<String> problems = line -> stderr.println("tether: " + line);
      PortList listening = ports.list(); // connects first: SSH trouble is reported now, not at the first connection
      List<AutoCloseable> running = new ArrayList<>();
      for (Forward f : local) {
        InetAddress address = f.bindHost() == null ? bindAddress : InetAddress.getByName(f.bindHost());
        int wanted = f.localPort() == null ? f.remotePort() : f.localPort();
        LocalForward forward = ports.forward(new InetSocketAddress(address, wanted), f.localPort() == null,
            f.remoteHost(), f.remotePort(), problems);
        running.add(forward);
        String target = f.remoteHost() == null ? destination + ":" + f.remotePort()
            : f.remoteHost() + ":" + f.remotePort() + " via " + destination;
        int got = forward.localAddress().getPort();
        stderr.println("forwarding " + hostPort(forward.localAddress()) + " -> " + target
            + (got != wanted ? " (port " + wanted + " is busy here)" : "") + (f.origin() == null ? "" : " (" + f.origin() + ")"));
        if (isLoopback(f.remoteHost()) && listening.sockets.stream().noneMatch(s -> s.port == f.remotePort()
            && s.loopbackReachable())) {
          stderr.println("tether: note: nothing listens on port " + f.remotePort() + " on " + destination
              + " yet; connections will fail until something does");
        }
      }
      List<ReverseForward> reverseForwards = new ArrayList<>();
      for (int[] r : reverse) {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), r[1]);
        ReverseForward forward = ports.reverse(null, r[0], target, problems);
        reverseForwards.add(forward);
        running.add(forward);
        stderr.println("forwarding " + destination + " " + forward.remoteHost() + ":" + forward.remotePort() + " -> "
            + hostPort(target) + " (reverse)");
      }
      if (auto) {
        running.add(ports.autoForward(bind, AUTO_INTERVAL, line -> stderr.println(
            line.startsWith("forwarding ") || line.startsWith("stopped ") ? line : "tether: " + line)));
        stderr.println("watching " + destination + " for new listening ports (every " + AUTO_INTERVAL.toSeconds() + " s)");
      }
      stderr.println("tether forward: ready; press Ctrl-C to stop");
      try {
        return waitForTheEnd(daemon.session(), reverseForwards);
      } finally {
        for (AutoCloseable r : running) {
          r.close();
        }
      }
    }
  }

  /** Runs until interrupted; ends (status 1) when the daemon goes away or a reverse listener ends. */
  private static int waitForTheEnd(Session daemon, List<ReverseForward> reverses) throws InterruptedException,
      TetherException {
    while (true) {
      Thread.sleep(500); // both conditions are rare; checking twice a second is plenty
      if (daemon.state() == Session.State.CLOSED) {
        throw new TetherException("the tether daemon went away; forwarding stopped");
      }
      for (ReverseForward r : reverses) {
        if (r.ended().isDone()) {
          throw new TetherException("the reverse forward of port " + r.remotePort() + " ended: " + r.ended().join());
        }
      }
    }
  }

  Forward parseForward(String text) {
    String[] parts = text.split(":");
    try {
      if (parts.length == 1) {
        return new Forward(null, null, null, port(parts[0], 1), null);
      }
      if (parts.length == 2 && isNumber(parts[0])) {
        return new Forward(null, port(parts[1], 1), null, port(parts[0], 1), null);
      }
      if (parts.length == 2) {
        return new Forward(null, null, parts[0], port(parts[1], 1), null);
      }
      if (parts.length == 3) {
        return new Forward(null, port(parts[2], 1), parts[0], port(parts[1], 1), null);
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ParameterException(spec.commandLine(), "bad forward '" + text
        + "': expected REMOTE_PORT, REMOTE_PORT:LOCAL_PORT, HOST:REMOTE_PORT or HOST:REMOTE_PORT:LOCAL_PORT (ports 1-65535)");
  }

  int[] parseReverse(String text) {
    String[] parts = text.split(":");
    try {
      if (parts.length == 1) {
        int port = port(parts[0], 1);
        return new int[] {port, port};
      }
      if (parts.length == 2) {
        return new int[] {port(parts[0], 0), port(parts[1], 1)};
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ParameterException(spec.commandLine(), "bad -R '" + text
        + "': expected REMOTE_PORT or REMOTE_PORT:LOCAL_PORT (REMOTE_PORT 0: any free port on the host, then LOCAL_PORT is needed)");
  }

  private List<Forward> configForwards() throws IOException {
    String alias;
    try {
      alias = SshDestination.parse(destination).host();
    } catch (RuntimeException e) {
      return List.of(); // local, ws://...: no ssh_config applies
    }
    try {
      return LocalForwards.read(configFile(), alias).stream()
          .map(s -> new Forward(s.bindHost(), s.port(), s.host(), s.hostPort(), s.line()))
          .toList();
    } catch (IllegalArgumentException e) {
      throw new TetherException(e.getMessage());
    }
  }

  private Path configFile() {
    return connection.configFile != null ? Path.of(connection.configFile)
        : SshEnvironment.system().sshDirectory().resolve("config");
  }

  private static boolean isLoopback(String host) {
    return host == null || host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
  }

  private static int port(String text, int min) {
    int port = Integer.parseInt(text.strip());
    if (port < min || port > 65535) {
      throw new NumberFormatException(text);
    }
    return port;
  }

  private static boolean isNumber(String text) {
    return !text.isEmpty() && text.chars().allMatch(Character::isDigit);
  }

  static String hostPort(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
