package dev.tether.local.cli;

import dev.tether.adapters.lsp.PathMapper;
import dev.tether.local.TetherException;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.dap.DapFrontEnd;
import dev.tether.local.dap.LoopbackPeers;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether dap DESTINATION [--map L=R]... [--listen HOST:PORT] (--adapter NAME | --connect [HOST:]PORT
 * | -- CMD ARGS...)}: a debug adapter on the host, spoken to as DAP on stdio (or TCP).
 */
@Command(name = "dap", description = "Run a debug adapter on DESTINATION and speak DAP to the client on stdio (or --listen).")
final class DapCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = "[user@]host[:port], an ssh_config alias, ssh://..., or local")
  String destination;

  @Parameters(index = "1..*", paramLabel = "CMD", description = "adapter command and arguments (after --)")
  List<String> command = new ArrayList<>();

  @Option(names = "--map", paramLabel = "LOCAL=REMOTE", description = "path mapping, repeatable; identity where paths are equal; a leading ~ is the local home")
  List<String> maps = new ArrayList<>();

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "accept debug clients on TCP (loopback) instead of stdio")
  String listen;

  @Option(names = "--adapter", paramLabel = "NAME", description = "a catalog adapter: debugpy, lldb-dap, delve, gdb")
  String adapter;

  @Option(names = "--connect", paramLabel = "[HOST:]PORT", description = "an adapter already listening on the host (HOST defaults to 127.0.0.1)")
  String connect;

  @Override
  public Integer call() throws Exception {
    int given = (adapter != null ? 1 : 0) + (connect != null ? 1 : 0) + (command.isEmpty() ? 0 : 1);
    if (given != 1) {
      throw new ParameterException(spec.commandLine(), "give exactly one of --adapter NAME, --connect [HOST:]PORT or -- CMD ARGS...");
    }
    if (connect != null && !connect.matches("(.+:)?[0-9]{1,5}")) {
      throw new ParameterException(spec.commandLine(), "--connect needs [HOST:]PORT, got '" + connect + "'");
    }
    PathMapper mapper;
    try {
      mapper = PathMapper.parse(maps.stream().map(m -> LspCommand.expandLocalHome(m, System.getProperty("user.home"))).toList());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bad --map: " + e.getMessage());
    }
    InetSocketAddress listenAddress = listen == null ? null : listenAddress();
    PrintStream stderr = System.err;
    DapFrontEnd.Options options = new DapFrontEnd.Options(connection.spec(destination), adapter,
        command.isEmpty() ? null : command, connect, mapper, LspCommand.cacheDir());
    try (DaemonClient daemon = Daemons.connect()) {
      DapFrontEnd frontEnd = new DapFrontEnd(daemon, options, stderr);
      if (listen == null) {
        return frontEnd.serve(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
      }
      return listen(frontEnd, listenAddress, stderr);
    }
  }

  /**
   * {@code --listen}'s address, loopback only: a debug adapter runs programs as the user, so its endpoint
   * must not be reachable from other machines.
   */
  private InetSocketAddress listenAddress() throws IOException {
    int colon = listen.lastIndexOf(':');
    if (colon < 0 || !listen.substring(colon + 1).matches("[0-9]{1,5}")) {
      throw new ParameterException(spec.commandLine(), "--listen needs HOST:PORT, got '" + listen + "'");
    }
    InetAddress address = InetAddress.getByName(listen.substring(0, colon).replace("[", "").replace("]", ""));
    if (!address.isLoopbackAddress()) {
      throw new TetherException("--listen serves loopback addresses only (127.0.0.1, ::1), not " + address.getHostAddress());
    }
    return new InetSocketAddress(address, Integer.parseInt(listen.substring(colon + 1)));
  }

  /** One adapter per client connection, for clients of this user only (the peer's uid is checked). */
  private int listen(DapFrontEnd frontEnd, InetSocketAddress address, PrintStream stderr) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(address);
      stderr.println("tether dap: listening on " + server.getLocalSocketAddress() + " (one adapter per client connection)");
      LoopbackPeers peers = LoopbackPeers.system();
      int ownUid = LoopbackPeers.ownUid();
      while (true) {
        Socket client = server.accept();
        OptionalInt uid = peers.peerUid(client);
        if (uid.isEmpty() || uid.getAsInt() != ownUid) {
          stderr.println("tether dap: refused a client of " + (uid.isEmpty() ? "unknown uid" : "uid " + uid.getAsInt())
              + " from " + client.getRemoteSocketAddress() + ": --listen serves only uid " + ownUid);
          client.close();
          continue;
        }
        client.setTcpNoDelay(true);
        Thread thread = new Thread(() -> {
          try (client) {
            frontEnd.serve(client.getInputStream(), client.getOutputStream());
          } catch (Exception e) {
            stderr.println("tether: debug client connection ended: " + e.getMessage());
          }
        }, "client " + client.getRemoteSocketAddress());
        thread.setDaemon(true);
        thread.start();
      }
    }
  }
}
