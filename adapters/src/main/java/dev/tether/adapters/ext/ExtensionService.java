package dev.tether.adapters.ext;

import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

/**
 * The request that lists a workspace's extensions, served on the agent's {@code sys} channel beside
 * {@code sys/*} (listing starts nothing, so it needs no channel of its own). See docs/SERVICES.md.
 */
public interface ExtensionService {
  /**
   * The extensions a workspace declares in its {@code .tether/extensions.json}, with the problems of
   * the entries that cannot be opened; a workspace without the file declares none.
   */
  @JsonRequest("ext/list")
  CompletableFuture<ExtensionList> list(ExtensionList.Params params);
}
