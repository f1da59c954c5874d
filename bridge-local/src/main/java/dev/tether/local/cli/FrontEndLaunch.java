package dev.tether.local.cli;

import dev.tether.adapters.ChannelOpener;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.HandOverHandler;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.lsp.EditorListener;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * How {@code tether lsp} and {@code tether dap} run their front end: in their own process (on stdio,
 * or for each connection to {@code --listen}) through the daemon, or in the daemon on a handed-over
 * client's descriptors (stdio only).
 */
final class FrontEndLaunch {
  private FrontEndLaunch() {}

  /** A front end for one editor or debug client: what serves it, and where the host's notices go. */
  record FrontEnd(EditorListener.Connection serve, Consumer<String> notice, Consumer<String> progress) {}

  /** Makes the front end of a command's {@code options}, on {@code opener}'s host, telling {@code stderr}. */
  interface Maker<O> {
    FrontEnd make(ChannelOpener opener, O options, PrintStream stderr);
  }

  /** In the command's own process; {@code name} is the command's ({@code lsp}, {@code dap}). */
  static <O> int run(CommandSpec spec, String name, String listen, O options, RemoteSpec target, Maker<O> maker)
      throws Exception {
    EditorListener listener;
    try {
      listener = listen == null ? null : EditorListener.parse(listen);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintStream stderr = System.err;
    try (DaemonClient daemon = Daemons.connect()) {
      FrontEnd frontEnd = maker.make(daemon.opener(target), options, stderr);
      daemon.onNotice(frontEnd.notice());
      if (frontEnd.progress() != null) {
        daemon.onProgress(frontEnd.progress());
      }
      if (listen == null) {
        return frontEnd.serve().serve(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
      }
      return listener.serve(name, frontEnd.serve(), stderr);
    }
  }

  /** In the daemon, on the client's own descriptors: stdio mode only ({@code --listen} keeps its process). */
  static <O> HandOverHandler.Job handOver(String name, String listen, Function<Path, O> options, Path cwd,
      Function<O, RemoteSpec> target, HandOverHandler.Hosts hosts, Maker<O> maker) throws HandOverHandler.FallBack {
    if (listen != null) {
      throw new HandOverHandler.FallBack(name + " --listen runs in its own process");
    }
    O parsed;
    try {
      parsed = options.apply(cwd);
    } catch (ParameterException e) {
      throw new HandOverHandler.FallBack("usage: " + e.getMessage());
    }
    HandOverHandler.Host host = hosts.connected(target.apply(parsed));
    return io -> {
      FrontEnd frontEnd = maker.make(host.opener(), parsed, io.err());
      try (AutoCloseable notices = host.onNotice(frontEnd.notice())) {
        return frontEnd.serve().serve(io.in(), io.out());
      }
    };
  }
}
