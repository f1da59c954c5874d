package dev.tether.local.cli;

import dev.tether.adapters.lsp.MaterializedCache;
import dev.tether.adapters.lsp.PathMapper;
import dev.tether.local.daemon.HandOverHandler;
import dev.tether.local.lsp.LspFrontEnd;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tether lsp DESTINATION [--map L=R]... [--listen HOST:PORT|unix:PATH] (--server NAME | -- CMD ARGS...)}. */
@Command(name = "lsp", description = "Run a language server on DESTINATION and speak LSP to the editor on stdio (or --listen).")
final class LspCommand implements Callable<Integer>, HandedOver {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Parameters(index = "1..*", paramLabel = "CMD", description = "server command and arguments (after --)")
  List<String> command = new ArrayList<>();

  @Option(names = "--map", paramLabel = "LOCAL=REMOTE", description = "path mapping, repeatable; identity where paths are equal; a leading ~ is the local home")
  List<String> maps = new ArrayList<>();

  @Option(names = "--listen", paramLabel = "HOST:PORT|unix:PATH",
      description = "accept editor connections on a loopback TCP port or a Unix socket (mode 0600) instead of stdio; only your own user's")
  String listen;

  @Option(names = "--server", paramLabel = "NAME", description = "a catalog server: pylsp, pyright, clangd, gopls, rust-analyzer, typescript-language-server, jdtls")
  String server;

  @Override
  public Integer call() throws Exception {
    LspFrontEnd.Options options = options(Path.of(""));
    return FrontEndLaunch.run(spec, "lsp", listen, options, options.target(), LspCommand::frontEnd);
  }

  @Override
  public HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
    return FrontEndLaunch.handOver("lsp", listen, this::options, cwd, LspFrontEnd.Options::target, hosts, LspCommand::frontEnd);
  }

  private static FrontEndLaunch.FrontEnd frontEnd(dev.tether.adapters.ChannelOpener opener, LspFrontEnd.Options options,
      PrintStream stderr) {
    LspFrontEnd frontEnd = new LspFrontEnd(opener, options, stderr);
    return new FrontEndLaunch.FrontEnd(frontEnd::serve, frontEnd::notice, frontEnd::progress);
  }

  private LspFrontEnd.Options options(Path cwd) {
    if ((server == null) == command.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give exactly one of --server NAME or -- CMD ARGS...");
    }
    PathMapper mapper;
    try {
      mapper = PathMapper.parse(maps.stream().map(m -> expandLocalHome(m, System.getProperty("user.home"))).toList());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bad --map: " + e.getMessage());
    }
    MaterializedCache.Limits hostFileLimits;
    try {
      // In a handed-over command this is the daemon's environment: set the limits where the daemon starts.
      hostFileLimits = MaterializedCache.Limits.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return new LspFrontEnd.Options(connection.spec(destination), server,
        command.isEmpty() ? null : command, mapper, cacheDir(), cwd, hostFileLimits);
  }

  /**
   * {@code ~/src/app=/home/alice/app}: editors start us without a shell, so nothing else would expand
   * the {@code ~} of the local side. The remote side is left alone: it names a path on the host.
   */
  static String expandLocalHome(String mapSpec, String home) {
    return mapSpec.startsWith("~/") || mapSpec.startsWith("~=") ? home + mapSpec.substring(1) : mapSpec;
  }

  static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("tether").resolve("files");
  }
}
