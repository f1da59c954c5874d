package dev.tether.local.cli;

import dev.tether.adapters.lsp.PathMapper;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.HandOverHandler;
import dev.tether.local.dap.DapFrontEnd;
import dev.tether.local.lsp.EditorListener;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
final class DapCommand implements Callable<Integer>, HandedOver {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Parameters(index = "1..*", paramLabel = "CMD", description = "adapter command and arguments (after --)")
  List<String> command = new ArrayList<>();

  @Option(names = "--map", paramLabel = "LOCAL=REMOTE", description = "path mapping, repeatable; identity where paths are equal; a leading ~ is the local home")
  List<String> maps = new ArrayList<>();

  @Option(names = "--listen", paramLabel = "HOST:PORT|unix:PATH",
      description = "accept debug clients on a loopback TCP port or a Unix socket (mode 0600) instead of stdio; only your own user's")
  String listen;

  @Option(names = "--adapter", paramLabel = "NAME", description = "a catalog adapter: debugpy, lldb-dap, delve, gdb")
  String adapter;

  @Option(names = "--connect", paramLabel = "[HOST:]PORT", description = "an adapter already listening on the host (HOST defaults to 127.0.0.1)")
  String connect;

  @Override
  public Integer call() throws Exception {
    DapFrontEnd.Options options = options(Path.of(""));
    EditorListener listener;
    try {
      listener = listen == null ? null : EditorListener.parse(listen);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintStream stderr = System.err;
    try (DaemonClient daemon = Daemons.connect()) {
      DapFrontEnd frontEnd = new DapFrontEnd(daemon.opener(options.target()), options, stderr);
      daemon.onNotice(frontEnd::notice);
      if (listen == null) {
        return frontEnd.serve(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
      }
      return listener.serve("dap", frontEnd::serve, stderr);
    }
  }

  /** In the daemon, on the debug client's own descriptors: stdio mode only ({@code --listen} keeps its process). */
  @Override
  public HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
    if (listen != null) {
      throw new HandOverHandler.FallBack("dap --listen runs in its own process");
    }
    DapFrontEnd.Options options;
    try {
      options = options(cwd);
    } catch (ParameterException e) {
      throw new HandOverHandler.FallBack("usage: " + e.getMessage());
    }
    HandOverHandler.Host host = hosts.connected(options.target());
    return io -> {
      DapFrontEnd frontEnd = new DapFrontEnd(host.opener(), options, io.err());
      try (AutoCloseable notices = host.onNotice(frontEnd::notice)) {
        return frontEnd.serve(io.in(), io.out());
      }
    };
  }

  private DapFrontEnd.Options options(Path cwd) {
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
    return new DapFrontEnd.Options(connection.spec(destination), adapter, command.isEmpty() ? null : command, connect,
        mapper, LspCommand.cacheDir(), cwd);
  }
}
