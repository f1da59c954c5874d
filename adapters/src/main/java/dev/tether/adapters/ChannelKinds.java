package dev.tether.adapters;

/** The channel kinds the agent serves; the OPEN frame names one of these. See docs/SERVICES.md. */
public final class ChannelKinds {
  /** Message channel: JSON-RPC {@code sys/*} requests (agent info, log tail). */
  public static final String SYS = "sys";
  /** Message channel: a language server spawned on the host, speaking LSP. */
  public static final String LSP = "lsp";
  /**
   * Message channel: a debug adapter on the host speaking DAP, from the catalog {"adapter"}, an argv
   * {"command"} or a listening address {"connect": {"host", "port"}}. See docs/SERVICES.md.
   */
  public static final String DAP = "dap";
  /** Byte channel: the content of one host file, streamed read-only, then end of stream. */
  public static final String FS_READ = "fs.read";
  /** Byte channel, accepted and closed at once: OPEN_OK metadata carries {"size","modifiedMillis"}. */
  public static final String FS_STAT = "fs.stat";
  /** Byte channel: one TCP connection made on the host to {"host", "port"}. See docs/PORTS.md. */
  public static final String TCP_CONNECT = "tcp.connect";
  /** Message channel: a listener on the host announcing each connection ({@code tcp/accepted}). */
  public static final String TCP_LISTEN = "tcp.listen";
  /** Byte channel: claims one connection announced on a {@code tcp.listen} channel. */
  public static final String TCP_ACCEPTED = "tcp.accepted";
  /** Message channel: JSON-RPC {@code ports/list}, the host's listening sockets. */
  public static final String PORTS = "ports";

  /** Message channel: JSON-RPC {@code fs/*} requests (stat, readDir, mkdir, delete, rename, copy, realpath). */
  public static final String FS = "fs";
  /** Byte channel: a file's new content; replaced atomically when the client half-closes. */
  public static final String FS_WRITE = "fs.write";
  /** Message channel: batches of file changes under a path until closed. */
  public static final String FS_WATCH = "fs.watch";
  /** Message channel: text search results, streamed; closing cancels. */
  public static final String FS_SEARCH = "fs.search";

  /** Message channel: JSON-RPC {@code terminal/*} requests (create, list, resize, kill, wait). */
  public static final String TERMINAL = "terminal";
  /** Byte channel: one attachment to a terminal {"id"}: scrollback replay, then live output; input to the PTY. */
  public static final String TERMINAL_IO = "terminal.io";
  /** Message channel: JSON-RPC {@code exec/*} requests (start, signal, wait); processes end with it. */
  public static final String EXEC = "exec";
  /** Byte channel: one stream of a started process {"id", "stream": "stdin"|"stdout"|"stderr"}. */
  public static final String EXEC_IO = "exec.io";

  /**
   * Message channel: a workspace extension, a JSON-RPC program the workspace declares in
   * {@code .tether/extensions.json} ({"workspace", "name"}) or an argv ({"command"}). See docs/SERVICES.md.
   */
  public static final String EXT = "ext";

  private ChannelKinds() {}
}
