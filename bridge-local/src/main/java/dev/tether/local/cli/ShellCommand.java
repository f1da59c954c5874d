package dev.tether.local.cli;

import dev.tether.adapters.exec.ExecClient;
import dev.tether.adapters.exec.ExecService.StartParams;
import dev.tether.adapters.terminal.TerminalClient;
import dev.tether.adapters.terminal.TerminalClient.Attachment;
import dev.tether.adapters.terminal.TerminalService.CreateParams;
import dev.tether.adapters.terminal.TerminalService.TerminalInfo;
import dev.tether.local.daemon.DaemonClient;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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

/**
 * {@code tether shell DESTINATION [--attach ID | --list] [-- CMD ARGS...]}: an interactive terminal on
 * the host. The remote process runs in a PTY owned by the agent, so it outlives this command (until
 * the daemon's session to the host ends) and can be attached again with its recent output.
 */
@Command(name = "shell", description = "Interactive terminal on DESTINATION (a remote PTY); exits with the remote status.")
final class ShellCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Parameters(index = "1..*", paramLabel = "CMD",
      description = "command and arguments (after --), run by the login shell on the host; default: the login shell")
  List<String> command = new ArrayList<>();

  @Option(names = "--attach", paramLabel = "ID", description = "attach to a running terminal (see --list): its recent output, then live")
  String attach;

  @Option(names = "--list", description = "list this host's terminals (id, pid, size, state, command)")
  boolean list;

  @Override
  public Integer call() throws Exception {
    if ((attach != null || list) && !command.isEmpty() || attach != null && list) {
      throw new ParameterException(spec.commandLine(), "give at most one of --attach ID, --list, or -- CMD ARGS...");
    }
    PrintStream stderr = System.err;
    try (DaemonClient daemon = Daemons.connect()) {
      if (list) {
        return list(daemon);
      }
      if (attach == null && !LocalTerminal.stdinIsTerminal()) {
        stderr.println("tether: stdin is not a terminal: running without a PTY (like ssh -T)");
        return withoutTerminal(daemon);
      }
      return interactive(daemon, stderr);
    } catch (IOException e) {
      stderr.println("tether: " + destination + ": " + Tether.userMessage(e));
      return ExecCommand.RemoteStreams.CONNECTION_FAILED;
    }
  }

  private int list(DaemonClient daemon) throws IOException {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    try (TerminalClient terminals = TerminalClient.open(daemon.opener(connection.spec(destination)))) {
      out.printf("%-6s %-8s %-9s %-10s %s%n", "ID", "PID", "SIZE", "STATE", "COMMAND");
      for (TerminalInfo t : terminals.list()) {
        out.printf("%-6s %-8d %-9s %-10s %s%n", t.id, t.pid, t.cols + "x" + t.rows,
            t.alive ? (t.attachments > 0 ? "attached" : "detached") : "exited " + t.exitCode, String.join(" ", t.command));
      }
    }
    return 0;
  }

  /** ssh -T: the command (or the login shell reading commands from stdin) with pipes, no PTY. */
  private int withoutTerminal(DaemonClient daemon) throws IOException {
    try (ExecClient client = ExecClient.open(daemon.opener(connection.spec(destination)))) {
      StartParams params = new StartParams();
      params.command = command.isEmpty() ? null : String.join(" ", command);
      return ExecCommand.RemoteStreams.run(client.start(params), new FileInputStream(FileDescriptor.in),
          new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
    }
  }

  private int interactive(DaemonClient daemon, PrintStream stderr) throws IOException {
    boolean tty = LocalTerminal.stdinIsTerminal();
    try (TerminalClient terminals = TerminalClient.open(daemon.opener(connection.spec(destination)));
        LocalTerminal local = tty ? LocalTerminal.enterRawMode() : null) {
      int[] size = local != null ? local.size() : new int[] {80, 24};
      if (local != null) {
        // A raw terminal does not turn \n into \r\n: a notice ends its own line, as ssh's do, in one write.
        daemon.onNotice(line -> stderr.print("tether: " + line + "\r\n"));
      }
      String id = attach != null ? attach : terminals.create(createParams(size)).id;
      Attachment attachment = terminals.attach(id);
      if (attach != null && local != null) {
        terminals.resize(id, size[0], size[1]);
      }
      if (local != null) {
        local.onResize((cols, rows) -> resize(terminals, id, cols, rows));
      }
      InputStream keys = local != null ? local.input() : new FileInputStream(FileDescriptor.in);
      Thread input = new Thread(() -> copyKeys(keys, attachment.input()), "shell input");
      input.setDaemon(true);
      input.start();
      copyOutput(attachment.output(), new FileOutputStream(FileDescriptor.out));
      return terminals.awaitExit(id);
    }
  }

  private CreateParams createParams(int[] size) {
    CreateParams params = new CreateParams();
    params.command = command.isEmpty() ? null : String.join(" ", command);
    params.term = System.getenv("TERM");
    params.cols = size[0];
    params.rows = size[1];
    return params;
  }

  private static void resize(TerminalClient terminals, String id, int cols, int rows) {
    try {
      terminals.resize(id, cols, rows);
    } catch (IOException e) {
      // The terminal or the connection ended; the output side reports that.
    }
  }

  private static void copyKeys(InputStream keys, OutputStream remote) {
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = keys.read(buffer)) >= 0) {
        if (n > 0) {
          remote.write(buffer, 0, n);
        }
      }
      // Our input ended; the attachment stays, so the output and the exit status still arrive.
    } catch (IOException e) {
      // The terminal ended or the connection went; the output side reports that.
    }
  }

  private static void copyOutput(InputStream remote, OutputStream screen) throws IOException {
    byte[] buffer = new byte[32 * 1024];
    int n;
    while ((n = remote.read(buffer)) >= 0) {
      screen.write(buffer, 0, n);
      screen.flush();
    }
  }
}
