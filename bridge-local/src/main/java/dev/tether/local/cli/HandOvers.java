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
  @Override
  public Job prepare(List<String> args, Path cwd, Hosts hosts) throws FallBack {
    CommandLine cli = new CommandLine(new Tether());
    ParseResult parsed;
    try {
      parsed = cli.parseArgs(args.toArray(String[]::new));
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
    if (!(leaf.commandSpec().userObject() instanceof HandedOver command)) {
      throw new FallBack("'" + leaf.commandSpec().qualifiedName() + "' runs in its own process");
    }
    Job job = command.handOver(cwd, hosts);
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
