/**
 * Machinery behind {@link dev.tether.adapters.lsp.LspRewriter}: URI parsing and spelling memory,
 * the URI table and its path language, the walk that finds URIs in a parsed message, request
 * tracking, and the navigation policy that decides when a host-only file is fetched. Not API.
 */
package dev.tether.adapters.lsp.internal;
