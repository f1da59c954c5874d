package dev.tether.adapters.catalog;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A language server or debug adapter name the catalog does not know; the message lists the known ones. */
public final class UnknownEntryException extends CatalogException {
  private static final long serialVersionUID = 1L;

  private final List<String> knownNames;

  UnknownEntryException(String kind, String name, Set<String> knownNames, String howToAdd) {
    super("unknown " + kind + " '" + name + "'; known: " + String.join(", ", new TreeSet<>(knownNames))
        + " (" + howToAdd + ")");
    this.knownNames = List.copyOf(new TreeSet<>(knownNames));
  }

  /** The names the catalog does know, sorted. */
  public List<String> knownNames() {
    return knownNames;
  }
}
