package dev.tether.remote.testpeer;

import dev.tether.adapters.catalog.DebugAdapter;
import dev.tether.adapters.catalog.LanguageServer;
import dev.tether.adapters.catalog.ServerCatalog;
import java.nio.file.Path;
import java.util.List;

/**
 * The test peers as catalog entries, so that {@code tether lsp --server tether-test-peer} and {@code tether
 * dap --adapter tether-test-peer} reach them on any host whose agent has them: the command is this very
 * agent's Java and class path, known only on the host. Added to what the language-server and
 * debug-adapter hosts serve, not to what {@code sys} lists ({@code tether doctor}) nor to the names an
 * unknown-name error lists, and only where the user's {@code servers.json} did not take the name.
 */
public final class TestPeerCatalog {
  public static final String NAME = "tether-test-peer";
  private static final String MAIN = "dev.tether.remote.TetherRemote";

  private TestPeerCatalog() {}

  /** {@code catalog} with the two test peers added. */
  public static ServerCatalog addTo(ServerCatalog catalog) {
    return catalog
        .withUnlisted(new LanguageServer(NAME, command("lsp"), List.of(), List.of(), List.of()))
        .withUnlisted(new DebugAdapter(NAME, command("dap"), List.of()));
  }

  static List<String> command(String protocol) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", absoluteClassPath(),
        MAIN, "test-peer", protocol);
  }

  /** The peer may start in another directory (the editor's mapped cwd): a relative entry would miss. */
  private static String absoluteClassPath() {
    return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }
}
