package dev.tether.local.cli;

import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.ext.ExtensionClient;
import dev.tether.adapters.ext.ExtensionClient.Extension;
import dev.tether.adapters.ext.ExtensionList;
import dev.tether.adapters.ext.Framing;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.HandOverHandler;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.ErrorCode;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
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
 * {@code tether ext DESTINATION [--workspace DIR] (NAME | -- CMD ARGS...)} and {@code --list}: a
 * workspace extension (a JSON-RPC program the workspace declares in {@code .tether/extensions.json}
 * on the host) on stdio, framed as it frames its own stdio. Nothing but its protocol on stdout.
 */
@Command(name = "ext", mixinStandardHelpOptions = true, description = "Run a workspace extension (a JSON-RPC program declared in the workspace's"
    + " .tether/extensions.json on DESTINATION) on stdio, or list them with --list.")
final class ExtCommand implements Callable<Integer>, HandedOver {
  /** ssh's status when the host cannot be reached, as {@code tether exec}. */
  static final int UNREACHABLE = 255;

  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION", description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Parameters(index = "1..*", paramLabel = "NAME | CMD",
      description = "the extension's name in the manifest, or (after --) a command and arguments, run without a shell")
  List<String> words = new ArrayList<>();

  @Option(names = "--workspace", paramLabel = "DIR",
      description = "the workspace directory on the host (absolute; default: the current directory's path); "
          + "with -- CMD, the command's working directory")
  String workspace;

  @Option(names = "--list", description = "list the workspace's extensions (NAME, framing, argv), one per line")
  boolean list;

  @Option(names = "--framing", paramLabel = "content-length|newline",
      description = "with -- CMD: how the command frames JSON-RPC on its stdio (default content-length)")
  String framing;

  @Override
  public Integer call() throws Exception {
    Request request = request(Path.of("").toAbsolutePath());
    PrintStream stderr = System.err;
    try (DaemonClient daemon = Daemons.connect()) {
      ChannelOpener opener = daemon.opener(connection.spec(destination));
      if (list) {
        return list(opener, request.workspace(), new PrintStream(new FileOutputStream(FileDescriptor.out), true), stderr);
      }
      Extension extension;
      try {
        extension = request.open(opener);
      } catch (IOException e) {
        return openFailed(e, stderr);
      }
      try (extension) {
        return new ExtensionStdio(extension, stderr).serve(new FileInputStream(FileDescriptor.in),
            new FileOutputStream(FileDescriptor.out));
      }
    }
  }

  /** In the daemon, on the client's own descriptors; {@code --list} runs in its own process. */
  @Override
  public HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
    if (list) {
      throw new HandOverHandler.FallBack("ext --list runs in its own process");
    }
    Request request;
    try {
      request = request(cwd);
    } catch (ParameterException e) {
      throw new HandOverHandler.FallBack("usage: " + e.getMessage());
    }
    HandOverHandler.Host host = hosts.connected(connection.spec(destination));
    return io -> {
      Extension extension;
      try {
        extension = request.open(host.opener());
      } catch (IOException e) {
        return openFailed(e, io.err());
      }
      try (extension) {
        io.onAbort(extension::close); // the command was killed: the channel ends, and with it the program
        return new ExtensionStdio(extension, io.err()).serve(io.in(), io.out());
      }
    };
  }

  /** What to open: by name in a workspace, or an argv. */
  private record Request(String workspace, String name, List<String> argv, Framing framing) {
    Extension open(ChannelOpener opener) throws IOException {
      return name != null ? ExtensionClient.open(opener, workspace, name)
          : ExtensionClient.run(opener, argv, workspace, null, framing);
    }
  }

  private Request request(Path cwd) {
    boolean argv = spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().originalArgs().contains("--");
    Framing chosen = framing == null ? Framing.CONTENT_LENGTH : Framing.named(framing);
    if (chosen == null) {
      throw new ParameterException(spec.commandLine(), "--framing must be content-length or newline, not '" + framing + "'");
    }
    if (framing != null && !argv) {
      throw new ParameterException(spec.commandLine(), "--framing goes with -- CMD ARGS...; a named extension's framing is in its manifest");
    }
    if (list) {
      if (!words.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--list takes no NAME or command");
      }
      return new Request(workspace(cwd), null, null, chosen);
    }
    if (argv) {
      if (words.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "give a command after --");
      }
      return new Request(workspace, null, List.copyOf(words), chosen);
    }
    if (words.size() != 1) {
      throw new ParameterException(spec.commandLine(), "give one extension NAME, or -- CMD ARGS..., or --list");
    }
    return new Request(workspace(cwd), words.get(0), null, chosen);
  }

  private String workspace(Path cwd) {
    return workspace != null ? workspace : cwd.toAbsolutePath().normalize().toString();
  }

  /** The agent refused (a manifest error, an unknown name, a program missing): 1; the host unreachable: 255. */
  private int openFailed(IOException e, PrintStream stderr) {
    stderr.println("tether: " + Tether.userMessage(e));
    if (e instanceof ChannelOpenException refused
        && (refused.code() == ErrorCode.CHANNEL_REFUSED || refused.reason().startsWith("cannot start extension"))) {
      return 1;
    }
    return UNREACHABLE;
  }

  private int list(ChannelOpener opener, String dir, PrintStream out, PrintStream stderr) {
    ExtensionList found;
    try {
      found = ExtensionClient.list(opener, dir);
    } catch (ChannelOpenException e) {
      stderr.println("tether: " + e.getMessage());
      return UNREACHABLE;
    } catch (IOException e) {
      stderr.println("tether: " + e.getMessage());
      return 1;
    }
    if (!found.exists) {
      stderr.println("tether: " + found.manifest + " does not exist: the workspace declares no extensions");
    }
    for (ExtensionList.Item item : found.extensions) {
      out.println(item.name + "\t" + item.framing + "\t" + String.join(" ", item.argv));
    }
    found.problems.forEach(problem -> stderr.println("tether: " + problem));
    return found.problems.isEmpty() ? 0 : 1;
  }
}
