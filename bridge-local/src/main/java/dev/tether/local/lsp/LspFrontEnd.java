package dev.tether.local.lsp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.lsp.LspRewriter;
import dev.tether.adapters.lsp.MaterializedCache;
import dev.tether.adapters.lsp.PathMapper;
import dev.tether.adapters.ChannelOpener;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.MuxException;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tether lsp}'s work for one editor connection: opens a language server on the host through
 * the daemon, then forwards every message, rewriting URIs between the editor's paths and the host's.
 *
 * <p>Failures reach the editor, not only stderr: a server that cannot be started answers the
 * editor's requests (initialize first) with the reason and shows it with {@code window/showMessage};
 * a connection lost for good is shown the same way, and a connection that drops and is resumed
 * is shown as a warning, then as information once the daemon has resumed the session.
 *
 * <p>Threading: {@link #serve} runs the server-to-editor direction on the calling thread and the
 * editor-to-server direction on a daemon thread.
 */
public final class LspFrontEnd {
  /** What to run and how to translate paths. */
  public record Options(RemoteSpec target, String server, List<String> command, PathMapper mapper, Path cacheDir,
      Path cwd, MaterializedCache.Limits hostFileLimits) {}

  static final int MAX_MESSAGE = 64 * 1024 * 1024;

  private final ChannelOpener host;
  private final Options options;
  private final PrintStream stderr;

  /** The editors being served, which hear about the host's connection (lost, reconnected). */
  private final Set<EditorConnection> editors = ConcurrentHashMap.newKeySet();

  /**
   * {@code host} opens channels on the host's session: through the daemon (the full CLI) or on it
   * directly (in the daemon, for a command that handed over its stdio). Whoever hears about the
   * connection calls {@link #notice} and {@link #progress}.
   */
  public LspFrontEnd(ChannelOpener host, Options options, PrintStream stderr) {
    this.host = host;
    this.options = options;
    this.stderr = stderr;
  }

  /** Progress (connecting, installing the agent) goes to the editors' logs of this server. */
  public void progress(String line) {
    editors.forEach(editor -> editor.logMessage(EditorConnection.MESSAGE_INFO, "tether: " + line));
  }

  /** News of the host's connection (lost, reconnected): on stderr and shown in the editors. */
  public void notice(String line) {
    String text = "tether: " + line;
    stderr.println(text);
    int type = line.startsWith("reconnected") ? EditorConnection.MESSAGE_INFO : EditorConnection.MESSAGE_WARNING;
    editors.forEach(editor -> editor.showMessage(type, text));
  }

  /** Serves one editor until it goes away; returns the process exit code. */
  public int serve(InputStream fromEditor, OutputStream toEditor) throws InterruptedException {
    EditorConnection editor = new EditorConnection(toEditor);
    BaseProtocol.Reader reader = new BaseProtocol.Reader(fromEditor, MAX_MESSAGE);
    Channel channel;
    editors.add(editor);
    try {
      channel = openServer();
    } catch (IOException e) {
      editors.remove(editor);
      return refuse(reader, editor, e.getMessage());
    }
    LspRewriter rewriter = LspRewriter.builder(options.mapper())
        .hostFiles(new MaterializedCache(options.cacheDir(), options.target().key(),
            new DaemonRemoteFiles(host), options.hostFileLimits()))
        .build();
    Thread fromEditorThread = new Thread(() -> editorToServer(reader, channel, rewriter, editor), "editor-to-server");
    fromEditorThread.setDaemon(true);
    fromEditorThread.start();
    try {
      // The server side decides when we are done: after the editor's exit (or its disappearance, which
      // makes the agent stop the server) the server's stream ends, and so does this process.
      return serverToEditor(channel, rewriter, editor);
    } finally {
      editors.remove(editor);
    }
  }

  private Channel openServer() throws IOException {
    JsonObject meta = new JsonObject();
    if (options.server() != null) {
      meta.addProperty("server", options.server());
    } else {
      JsonArray command = new JsonArray();
      options.command().forEach(command::add);
      meta.add("command", command);
    }
    String cwd = options.cwd().toAbsolutePath().toString();
    if (options.mapper().mappingForLocal(cwd).isPresent()) {
      meta.addProperty("cwd", options.mapper().toRemotePath(cwd));
    }
    return host.open(ChannelKinds.LSP, ChannelFlavour.MESSAGES, meta.toString());
  }

  private void editorToServer(BaseProtocol.Reader reader, Channel channel, LspRewriter rewriter, EditorConnection editor) {
    try {
      byte[] message;
      while ((message = reader.read()) != null) {
        channel.writeMessage(rewriter.clientToServer(message));
      }
    } catch (MuxException e) {
      return; // the other direction reports the failure to the editor
    } catch (java.nio.channels.ClosedChannelException e) {
      // in the daemon: the handed-over stdin was closed because the server's side ended
    } catch (IOException e) {
      stderr.println("tether: reading from the editor failed: " + e.getMessage());
    }
    channel.close(); // the server gets shutdown/exit from the agent if the editor did not send them
  }

  private int serverToEditor(Channel channel, LspRewriter rewriter, EditorConnection editor) {
    try {
      byte[] message;
      while ((message = channel.readMessage()) != null) {
        editor.send(rewriter.serverToClient(message));
      }
      return 0;
    } catch (MuxException e) {
      String reason = "tether: " + e.reason();
      stderr.println(reason);
      editor.showMessage(EditorConnection.MESSAGE_ERROR, reason);
      return 1;
    } catch (IOException e) {
      return 0; // the editor stopped reading: it is gone
    }
  }

  /**
   * The server could not be started: say so on stderr, show it in the editor, and answer the requests
   * that arrive (initialize first) with the reason, for a few seconds or until the editor exits.
   */
  private int refuse(BaseProtocol.Reader reader, EditorConnection editor, String reason) {
    String text = "tether: " + reason;
    stderr.println(text);
    editor.showMessage(EditorConnection.MESSAGE_ERROR, text);
    Thread answering = new Thread(() -> {
      try {
        byte[] message;
        while ((message = reader.read()) != null && !EditorConnection.isExit(message)) {
          JsonElement id = EditorConnection.requestId(message);
          if (id != null) {
            editor.failRequest(id, text);
          }
        }
      } catch (IOException ignored) {
        // the editor is gone
      }
    }, "refuse");
    answering.setDaemon(true);
    answering.start();
    try {
      answering.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 1;
  }
}
