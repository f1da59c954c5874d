package dev.tether.local.cli;

import com.google.gson.GsonBuilder;
import dev.tether.adapters.ports.ListeningSocket;
import dev.tether.adapters.ports.PortList;
import dev.tether.adapters.ports.Ports;
import dev.tether.local.daemon.DaemonClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tether ports DESTINATION [--json]}: the host's listening TCP sockets with their processes, on stdout. */
@Command(name = "ports", description = "List the listening TCP ports of DESTINATION with the process behind each.")
final class PortsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Option(names = "--json", description = "print the ports/list result as JSON")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PortList list;
    try (DaemonClient daemon = Daemons.connect()) {
      list = new Ports(daemon.opener(connection.spec(destination)), destination).list();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new GsonBuilder().setPrettyPrinting().create().toJson(list));
      return 0;
    }
    out.printf("%-5s %-40s %6s %8s  %s%n", "PROTO", "ADDRESS", "PORT", "PID", "COMMAND");
    for (ListeningSocket s : list.sockets) {
      out.printf("%-5s %-40s %6d %8s  %s%n", s.protocol, s.address, s.port, s.pid == null ? "-" : s.pid.toString(),
          s.command == null ? "(not visible to " + destination + "'s user)" : s.command);
    }
    out.flush();
    return 0;
  }
}
