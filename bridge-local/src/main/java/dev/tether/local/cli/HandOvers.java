package dev.tether.local.cli;

import dev.tether.local.daemon.HandOverHandler;
import dev.tether.local.ssh.SshFailure;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The daemon's side of the hand-over: parses the command line with the full CLI's own definitions and
 * runs the data path of the commands that support it ({@link HandedOver}); everything else, usage
 * errors and help included, falls back to the command's own process so it prints exactly what it did.
 */
public final class HandOvers implements HandOverHandler {
  /**
   * The commands that may be handed over, each parsed with a model of its own subtree: building the
   * whole CLI's model per request (every subcommand, by reflection) cost more than the command's work.
   */
  private static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS = java.util.Map.of(
      "lsp", LspCommand::new, "dap", DapCommand::new, "exec", ExecCommand::new, "fs", FsCommand::new,
      "ext", ExtCommand::new);

  @Override
  public Job prepare(List<String> args, Path cwd, Hosts hosts) throws FallBack {
    java.util.function.Supplier<Object> command = args.isEmpty() ? null : COMMANDS.get(args.get(0));
    if (command == null) {
      throw new FallBack("'" + (args.isEmpty() ? "" : args.get(0)) + "' runs in its own process");
    }
    CommandLine cli = new CommandLine(command.get());
    ParseResult parsed;
    try {
      parsed = cli.parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new FallBack("usage: " + e.getMessage());
    }
    ParseResult leaf = parsed;
    while (true) {
      if (leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested()) {
        throw new FallBack("help");
      }
      if (!leaf.hasSubcommand()) {
        break;
      }
      leaf = leaf.subcommand();
    }
    if (!(leaf.commandSpec().userObject() instanceof HandedOver handedOver)) {
      throw new FallBack("'" + leaf.commandSpec().qualifiedName() + "' runs in its own process");
    }
    Job job = handedOver.handOver(cwd, hosts);
    return io -> {
      try {
        return job.run(io);
      } catch (Exception e) {
        io.err().println("tether: " + Tether.userMessage(e)); // as Tether.main's handler says it
        return e instanceof SshFailure ssh ? ssh.exitCode() : 1;
      }
    };
  }
}
