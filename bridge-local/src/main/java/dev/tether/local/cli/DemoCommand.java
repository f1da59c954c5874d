package dev.tether.local.cli;

import dev.tether.local.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tether demo}: a real language server through a real SSH connection, all on this machine. */
@Command(name = "demo", description = "Start an SSH server on 127.0.0.1 with throwaway keys, connect to it"
    + " exactly as to a remote host (tether lsp: host-key check, agent upload, handshake), run pylsp (or clangd)"
    + " there, speak LSP to it as an editor does and print each step with its time; then remove everything"
    + " it created.")
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--server", paramLabel = "NAME", description = "pylsp or clangd (default: pylsp if it runs here, else clangd)")
  String server;

  @Override
  public Integer call() throws Exception {
    if (server != null && !server.equals("pylsp") && !server.equals("clangd")) {
      throw new ParameterException(spec.commandLine(), "the demo runs pylsp or clangd, not '" + server + "'");
    }
    new Demo(spec.commandLine().getOut(), System.getProperty("tether.launcher")).run(server);
    return 0;
  }
}
