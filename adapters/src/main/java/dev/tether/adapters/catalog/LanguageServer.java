package dev.tether.adapters.catalog;

import java.util.List;

/**
 * A language server Tether knows how to start on the remote host.
 *
 * @param name        what {@code tether lsp --server NAME} calls it
 * @param command     the argv run on the remote host (the first element is looked up on its PATH)
 * @param languages   LSP language ids it serves
 * @param extensions  file name extensions it serves, without the dot
 * @param rootMarkers file names whose presence marks a project root, most specific first
 */
public record LanguageServer(String name, List<String> command, List<String> languages,
    List<String> extensions, List<String> rootMarkers) {

  public LanguageServer {
    command = List.copyOf(command);
    languages = List.copyOf(languages);
    extensions = List.copyOf(extensions);
    rootMarkers = List.copyOf(rootMarkers);
  }

  /** Whether this server handles files named {@code fileName}, judged by extension. */
  public boolean servesFile(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot >= 0 && extensions.contains(fileName.substring(dot + 1));
  }
}
