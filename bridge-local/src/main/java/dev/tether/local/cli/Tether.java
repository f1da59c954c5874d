package dev.tether.local.cli;

import dev.tether.adapters.Version;
import dev.tether.local.TetherException;
import dev.tether.local.ssh.SshFailure;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tether}: the local bridge's command line. Exit codes: 0 ok, 2 usage, 1 (or ssh's 255 for SSH
 * failures) with one clear line on stderr. In {@code lsp} stdio mode stdout carries only the protocol.
 */
@Command(name = "tether", mixinStandardHelpOptions = true, versionProvider = Tether.VersionProvider.class,
    description = "Remote language servers for any editor, over one SSH connection.",
    subcommands = {LspCommand.class, DapCommand.class, StatusCommand.class, DaemonCommand.class, DoctorCommand.class, DemoCommand.class,
        ShellCommand.class, ExecCommand.class, FsCommand.class, ForwardCommand.class, PortsCommand.class, ConformanceCommand.class,
        ExtCommand.class, WebCommand.class})
public final class Tether {
  public static void main(String[] args) {
    PrintStream protocolOut = System.out;
    configureLogging();
    CommandLine cli = commandLine()
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          commandLine.getErr().println("tether: " + userMessage(e));
          return e instanceof SshFailure ssh ? ssh.exitCode() : 1;
        });
    cli.setOut(new java.io.PrintWriter(protocolOut, true));
    System.setOut(System.err); // a stray print must never corrupt the protocol on stdout
    System.exit(cli.execute(args));
  }

  /** The CLI's model: every command and subcommand answers {@code -h}/{@code --help} with its usage alone. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Tether());
    addHelpOption(cli);
    return cli;
  }

  /**
   * Without a help option of its own, a command's required parameters are checked first, and
   * {@code tether exec --help} printed "Missing required parameters" before the usage.
   */
  private static void addHelpOption(CommandLine command) {
    CommandLine.Model.CommandSpec spec = command.getCommandSpec();
    if (spec.options().stream().noneMatch(CommandLine.Model.OptionSpec::usageHelp)) {
      String[] names = spec.findOption("-h") == null ? new String[] {"-h", "--help"} : new String[] {"--help"};
      spec.addOption(CommandLine.Model.OptionSpec.builder(names).usageHelp(true)
          .description("Show this help message and exit.").build());
    }
    command.getSubcommands().values().forEach(Tether::addHelpOption);
  }

  static String userMessage(Exception e) {
    if (e instanceof TetherException || e instanceof SshFailure || e instanceof dev.tether.mux.MuxException) {
      return e.getMessage();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Logs go to stderr, warnings only, unless TETHER_LOG names a level (debug shows every frame). */
  private static void configureLogging() {
    if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
      System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }
    String level = System.getenv().getOrDefault("TETHER_LOG", System.getProperty("tether.log", "warn"));
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.lsp4j", "warn");
    // LSP4J logs through java.util.logging, with stack traces, also when a channel simply ends under
    // it (a command finishing); what matters reaches the user through the command's own error line.
    if (!level.equals("debug") && !level.equals("trace")) {
      LSP4J_LOG.setLevel(java.util.logging.Level.OFF);
    }
  }

  /** Held here: java.util.logging keeps loggers only weakly, and the level must stick. */
  private static final java.util.logging.Logger LSP4J_LOG = java.util.logging.Logger.getLogger("org.eclipse.lsp4j");

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"tether " + Version.current() + " (commit " + Version.commit() + ", protocol "
          + dev.tether.mux.ProtocolVersion.MAJOR + "." + dev.tether.mux.ProtocolVersion.MINOR + ")"};
    }
  }
}
