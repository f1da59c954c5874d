package dev.tether.local.cli;

import dev.tether.adapters.lsp.PathMapper;
import dev.tether.local.daemon.HandOverHandler;
import dev.tether.local.dap.DapFrontEnd;
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
    return FrontEndLaunch.run(spec, "dap", listen, options, options.target(), DapCommand::frontEnd);
  }

  @Override
  public HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
    return FrontEndLaunch.handOver("dap", listen, this::options, cwd, DapFrontEnd.Options::target, hosts, DapCommand::frontEnd);
  }

  private static FrontEndLaunch.FrontEnd frontEnd(dev.tether.adapters.ChannelOpener opener, DapFrontEnd.Options options,
      PrintStream stderr) {
    DapFrontEnd frontEnd = new DapFrontEnd(opener, options, stderr);
    return new FrontEndLaunch.FrontEnd(frontEnd::serve, frontEnd::notice, null);
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
