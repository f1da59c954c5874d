package dev.tether.local.cli;

import dev.tether.local.TetherException;
import dev.tether.local.conformance.Check;
import dev.tether.local.conformance.Conformance;
import dev.tether.local.conformance.Target;
import dev.tether.local.connect.AgentJar;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.daemon.Ui;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether conformance DESTINATION}: runs the conformance checks against the agent of DESTINATION,
 * reached as the daemon reaches it (a local child process, SSH with bootstrap, or --via) but spoken to
 * directly, frame by frame, without the daemon. Exit 0 when every check passed, 1 otherwise.
 */
@Command(name = "conformance", subcommands = ConformancePeerCommand.class, description = "Check that the agent of DESTINATION speaks docs/PROTOCOL.md: one line per check.")
final class ConformanceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Option(names = "--only", paramLabel = "GROUP", description = "run only this group of checks (repeatable): protocol, services, lsp, dap")
  List<String> groups = new ArrayList<>();

  @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write a JUnit XML report to FILE")
  Path junitXml;

  @Option(names = "--list", description = "list the checks (id, section, title) without running them")
  boolean list;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Check> checks;
    try {
      checks = Conformance.select(groups);
    } catch (IllegalArgumentException e) {
      throw new TetherException(e.getMessage());
    }
    if (list) {
      for (Check check : checks) {
        out.printf("%-28s %-34s %s%n", check.id(), check.section(), check.title());
      }
      out.flush();
      return 0;
    }
    if (destination == null) {
      throw new TetherException("conformance needs a DESTINATION (or --list)");
    }
    List<Conformance.Result> results = Conformance.run(checks, target(connection.spec(destination)), out);
    if (junitXml != null) {
      Conformance.writeJUnitXml(junitXml, destination, results);
    }
    return Conformance.count(results, Conformance.Outcome.FAIL) == 0 ? 0 : 1;
  }

  private static Target target(RemoteSpec remote) throws TetherException {
    AgentLauncher launcher = new AgentLauncher(AgentJar.locate(), SshEnvironment.system());
    return new Target() {
      @Override
      public Transport connect() throws IOException {
        return launcher.rawTransport(remote, Ui.none());
      }

      @Override
      public boolean resumable() {
        return AgentLauncher.canResume(remote);
      }

      @Override
      public String description() {
        return remote.toString();
      }
    };
  }
}
