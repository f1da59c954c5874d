package dev.tether.adapters.sys.remote;

import dev.tether.adapters.JsonRpcServices;
import dev.tether.adapters.Version;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.sys.SysInfo;
import dev.tether.adapters.sys.SysService;
import dev.tether.mux.Channel;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.ProtocolVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Serves {@code sys} channels: agent and host facts, and the agent log's tail. */
public final class SysHost implements SysService, dev.tether.adapters.ext.ExtensionService {
  private final Path home;
  private final Path logFile;
  private final Supplier<List<String>> capabilities;
  private final ServerCatalog catalog;
  private final java.util.function.ToIntFunction<List<String>> abandonDetached;

  /**
   * {@code home} is where the agent lives and logs, as the bootstrap sees it ({@code $HOME});
   * {@code abandonDetached} closes the detached sessions among the ids given and counts them.
   */
  public SysHost(Path home, Path logFile, Supplier<List<String>> capabilities, ServerCatalog catalog,
      java.util.function.ToIntFunction<List<String>> abandonDetached) {
    this.home = home;
    this.logFile = logFile;
    this.capabilities = capabilities;
    this.catalog = catalog;
    this.abandonDetached = abandonDetached;
  }

  public void open(OpenRequest request) throws IOException {
    Channel channel = request.accept();
    JsonRpcServices.serve(channel, this);
  }

  @Override
  public CompletableFuture<SysInfo> info() {
    SysInfo info = new SysInfo();
    info.agentVersion = Version.current();
    info.protocolMajor = ProtocolVersion.MAJOR;
    info.protocolMinor = ProtocolVersion.MINOR;
    info.capabilities = capabilities.get();
    info.os = System.getProperty("os.name");
    info.arch = System.getProperty("os.arch");
    info.user = System.getProperty("user.name");
    info.home = home.toString();
    info.shell = System.getenv().getOrDefault("SHELL", "/bin/sh");
    info.pid = ProcessHandle.current().pid();
    info.javaVersion = System.getProperty("java.version");
    info.logFile = logFile == null ? null : logFile.toString();
    return CompletableFuture.completedFuture(info);
  }

  @Override
  public CompletableFuture<Integer> abandon(AbandonRequest request) {
    List<String> ids = request == null || request.sessions == null ? List.of() : List.copyOf(request.sessions);
    return CompletableFuture.completedFuture(abandonDetached.applyAsInt(ids));
  }

  @Override
  public CompletableFuture<List<ServerPresence>> servers() {
    List<ServerPresence> out = new ArrayList<>();
    catalog.languageServers().values().forEach(server ->
        out.add(new ServerPresence(server.name(), "languageServer", server.command(), find(server.command().get(0)))));
    catalog.debugAdapters().values().forEach(adapter ->
        out.add(new ServerPresence(adapter.name(), "debugAdapter", adapter.command(), locate(adapter))));
    return CompletableFuture.completedFuture(out);
  }

  /** The adapter's program if it can run here (found, probe passed), else null. */
  private static String locate(dev.tether.adapters.catalog.DebugAdapter adapter) {
    try {
      return dev.tether.adapters.dap.remote.AdapterLocator.locate(adapter).get(0);
    } catch (dev.tether.adapters.dap.remote.AdapterLocator.AdapterMissingException e) {
      return null;
    }
  }

  /** {@code program} as the agent would run it: a path, or looked up on the agent's PATH; null if absent. */
  static String find(String program) {
    if (program.contains("/")) {
      return Files.isExecutable(Path.of(program)) ? program : null;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  @Override
  public CompletableFuture<dev.tether.adapters.ext.ExtensionList> list(dev.tether.adapters.ext.ExtensionList.Params params) {
    String workspace = params == null ? null : params.workspace;
    if (workspace == null || workspace.isBlank()) {
      return CompletableFuture.failedFuture(invalid("ext/list needs \"workspace\": the directory holding "
          + dev.tether.adapters.ext.ExtensionManifest.FILE));
    }
    try {
      return CompletableFuture.completedFuture(dev.tether.adapters.ext.ExtensionList.of(
          dev.tether.adapters.ext.ExtensionManifest.read(Path.of(workspace))));
    } catch (dev.tether.adapters.ext.ExtensionManifest.ManifestException e) {
      return CompletableFuture.failedFuture(invalid(e.getMessage()));
    }
  }

  private static org.eclipse.lsp4j.jsonrpc.ResponseErrorException invalid(String message) {
    return new org.eclipse.lsp4j.jsonrpc.ResponseErrorException(new org.eclipse.lsp4j.jsonrpc.messages.ResponseError(
        org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode.InvalidParams, message, null));
  }

  @Override
  public CompletableFuture<List<String>> log(LogRequest request) {
    if (logFile == null || !Files.exists(logFile)) {
      return CompletableFuture.completedFuture(List.of());
    }
    int wanted = Math.max(1, Math.min(request.lines, 10_000));
    ArrayDeque<String> tail = new ArrayDeque<>(wanted);
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      lines.forEach(line -> {
        if (tail.size() == wanted) {
          tail.removeFirst();
        }
        tail.addLast(line);
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.completedFuture(new ArrayList<>(tail));
  }
}
