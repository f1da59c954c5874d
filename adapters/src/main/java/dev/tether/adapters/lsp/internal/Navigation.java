package dev.tether.adapters.lsp.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * Whether a URI the server sends is a place the editor may open, which decides whether a host-only
 * file behind it is fetched ({@code MaterializedCache}) before the message is forwarded.
 *
 * <p>Fetched: targets of navigation, i.e. URIs inside {@link #TARGETS} (locations of definitions,
 * references, symbols, call and type hierarchy items, document links, {@code window/showDocument}).
 * Not fetched, only named by their cache path: URIs inside {@link #NOT_TARGETS}, even when the type
 * nested there is a target (a {@code Location} in a diagnostic's related information). Diagnostics and
 * inlay hints arrive on every keystroke or scroll, so fetching there would stall the editor for files
 * the user rarely follows; a workspace edit on a host-only file cannot be applied to a read-only copy
 * anyway. Everything else (a {@code RelativePattern}'s base directory, a configuration scope) is a
 * directory or a scope, not a file to open.
 */
public enum Navigation {
  /** Not inside any type that decides. */
  UNDECIDED,
  /** Inside a navigation target. */
  TARGET,
  /** Inside a type whose URIs are never fetched for. */
  EXCLUDED;

  static final Set<String> TARGETS = Set.of("Location", "LocationLink", "LocationUriOnly",
      "DocumentLink", "CallHierarchyItem", "TypeHierarchyItem", "ShowDocumentParams");
  static final Set<String> NOT_TARGETS = Set.of("WorkspaceEdit", "Diagnostic",
      "PublishDiagnosticsParams", "InlayHint", "RelatedFullDocumentDiagnosticReport",
      "RelatedUnchangedDocumentDiagnosticReport", "DocumentDiagnosticReportPartialResult",
      "WorkspaceFullDocumentDiagnosticReport", "WorkspaceUnchangedDocumentDiagnosticReport");

  /** The state inside a value of the named type. */
  public Navigation enter(String type) {
    if (this == EXCLUDED || NOT_TARGETS.contains(type)) {
      return EXCLUDED;
    }
    return TARGETS.contains(type) ? TARGET : this;
  }

  /** Every type name this policy mentions, so a test can check they all exist in the table. */
  public static Set<String> typeNames() {
    Set<String> names = new HashSet<>(TARGETS);
    names.addAll(NOT_TARGETS);
    return names;
  }
}
