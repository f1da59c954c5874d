/**
 * LSP path translation between an editor on this machine and a language server on the remote host.
 *
 * <ul>
 *   <li>{@link dev.tether.adapters.lsp.PathMapper} and {@link dev.tether.adapters.lsp.PathMapping}:
 *       the {@code --map LOCAL=REMOTE} pairs, applied to single {@code file:} URIs.
 *   <li>{@link dev.tether.adapters.lsp.LspRewriter}: one per connection; rewrites whole JSON-RPC
 *       message bodies, only where the LSP meta model types a URI.
 *   <li>{@link dev.tether.adapters.lsp.MaterializedCache} over
 *       {@link dev.tether.adapters.lsp.RemoteFiles}: read-only local copies of host-only files.
 * </ul>
 *
 * <p>Where URIs are is data, not code: {@code uri-table.json} in this package's resources, derived
 * from the LSP 3.18 meta model by {@code UriTableGenerator} (test sources) and checked against it by
 * {@code UriTableTest}. Values typed {@code LSPAny} are opaque and never rewritten; see
 * {@link dev.tether.adapters.lsp.LspRewriter} for why and what that means.
 */
package dev.tether.adapters.lsp;
