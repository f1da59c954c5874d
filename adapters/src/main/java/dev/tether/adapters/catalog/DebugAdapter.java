package dev.tether.adapters.catalog;

import java.util.List;

/**
 * A debug adapter Tether knows how to start on the remote host.
 *
 * @param name         what {@code tether dap --adapter NAME} calls it
 * @param command      the argv run on the remote host (the first element is looked up on its PATH)
 * @param languages    LSP language ids of the programs it debugs
 * @param alternatives other names for the program in {@code command[0]}, tried in order when it is not
 *                     found; a trailing {@code *} matches a version suffix ({@code lldb-dap-*} finds
 *                     {@code lldb-dap-19}, the highest version first)
 * @param probe        an argv run on the host before the adapter, which must exit 0 (e.g. Python importing
 *                     debugpy); {@code {program}} stands for the program found; empty for none
 * @param packageHint  what to install when it is missing (named in the error), e.g. a Debian package
 * @param pathKeys     launch/attach configuration keys whose values are paths, mapped like
 *                     {@code Source.path} ({@code program}, {@code cwd}, ...)
 */
public record DebugAdapter(String name, List<String> command, List<String> languages, List<String> alternatives,
    List<String> probe, String packageHint, List<String> pathKeys) {

  public DebugAdapter {
    command = List.copyOf(command);
    languages = List.copyOf(languages);
    alternatives = List.copyOf(alternatives);
    probe = List.copyOf(probe);
    pathKeys = List.copyOf(pathKeys);
  }

  /** An entry with only a command and languages (the other fields empty). */
  public DebugAdapter(String name, List<String> command, List<String> languages) {
    this(name, command, languages, List.of(), List.of(), null, List.of("program", "cwd"));
  }
}
