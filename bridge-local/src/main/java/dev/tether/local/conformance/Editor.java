package dev.tether.local.conformance;

import static dev.tether.local.conformance.Check.require;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.adapters.ChannelOpener;
import dev.tether.adapters.lsp.MaterializedCache;
import dev.tether.adapters.lsp.PathMapper;
import dev.tether.local.conformance.Check.Failure;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.dap.DapFrontEnd;
import dev.tether.local.lsp.LspFrontEnd;
import dev.tether.mux.Session;
import dev.tether.mux.jsonrpc.BaseProtocol;
import dev.tether.mux.transport.InMemoryTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * An editor (or a DAP client) driving {@code tether lsp} / {@code tether dap}: the same front end
 * ({@link LspFrontEnd}, {@link DapFrontEnd}) that serves an editor's stdio, with {@code --map} and the
 * agent's test peer ({@code --server tether-test-peer}, {@code --adapter tether-test-peer}) as the
 * server, on a session of the check's own instead of the daemon's. The editor's side is an in-memory
 * pipe: what the check sends is what the front end reads from "stdin", and every message the front
 * end writes to "stdout" is queued for {@link #next}.
 *
 * <p>Threading: the front end serves on a thread of its own, a reader thread queues its output; the
 * check's thread sends and takes.
 */
final class Editor implements AutoCloseable {
  static final String PEER = "tether-test-peer";
  private static final byte[] END = new byte[0];

  /**
   * The mapping every check uses: a fresh local directory (made here, removed at the end) and a host
   * directory of another name (never made: the peer only sees URIs), so that every mapped path differs.
   */
  record Workspace(Path local, String remote, Path cache) {
    static Workspace create() throws IOException {
      Path local = Files.createTempDirectory("tether-conformance-local-");
      String remote = "/tmp/tether-conformance-host-" + UUID.randomUUID() + "/work space";
      return new Workspace(local.toRealPath(), remote, Files.createTempDirectory("tether-conformance-cache-"));
    }

    PathMapper mapper() {
      return PathMapper.parse(List.of(local + "=" + remote));
    }

    String localUri(String relative) {
      return uri(localPath(relative));
    }

    String remoteUri(String relative) {
      return uri(remotePath(relative));
    }

    private static String uri(String path) {
      try {
        return new java.net.URI("file", "", path, null).toASCIIString();
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(path, e);
      }
    }

    /** The local path of {@code relative} under the workspace; the workspace itself for "". */
    String localPath(String relative) {
      return relative.isEmpty() ? local.toString() : local + "/" + relative;
    }

    String remotePath(String relative) {
      return relative.isEmpty() ? remote : remote + "/" + relative;
    }

    void delete() {
      deleteTree(local);
      deleteTree(cache);
    }
  }

  private interface FrontEnd {
    int serve(InputStream in, OutputStream out) throws Exception;
  }

  private final Session session;
  private final Workspace workspace;
  private final InMemoryTransport.Link link = InMemoryTransport.pair();
  private final LinkedBlockingQueue<Object> inbound = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  /** Messages {@link #await} passed over, in order. */
  final List<JsonObject> skipped = new ArrayList<>();

  private Editor(Session session, Workspace workspace) {
    this.session = session;
    this.workspace = workspace;
  }

  /** {@code tether lsp DESTINATION --map LOCAL=REMOTE --server tether-test-peer}, an editor at its stdio. */
  static Editor lsp(Target target) throws Exception {
    Editor editor = open(target);
    RemoteSpec remote = new RemoteSpec(target.description(), List.of(), null);
    LspFrontEnd.Options options = new LspFrontEnd.Options(remote, PEER, null, editor.workspace.mapper(),
        editor.workspace.cache(), Path.of(""), MaterializedCache.Limits.DEFAULT);
    ChannelOpener opener = editor.session::open;
    editor.start((in, out) -> new LspFrontEnd(opener, options, editor.stderrStream()).serve(in, out));
    return editor;
  }

  /** {@code tether dap DESTINATION --map LOCAL=REMOTE --adapter tether-test-peer}, a client at its stdio. */
  static Editor dap(Target target) throws Exception {
    Editor editor = open(target);
    RemoteSpec remote = new RemoteSpec(target.description(), List.of(), null);
    DapFrontEnd.Options options = new DapFrontEnd.Options(remote, PEER, null, null, editor.workspace.mapper(),
        editor.workspace.cache(), Path.of(""));
    ChannelOpener opener = editor.session::open;
    editor.start((in, out) -> new DapFrontEnd(opener, options, editor.stderrStream()).serve(in, out));
    return editor;
  }

  private static Editor open(Target target) throws Exception {
    Session session = CheckSupport.session(target);
    try {
      return new Editor(session, Workspace.create());
    } catch (IOException e) {
      session.close();
      throw e;
    }
  }

  Workspace workspace() {
    return workspace;
  }

  private PrintStream stderrStream() {
    return new PrintStream(stderr, true, StandardCharsets.UTF_8);
  }

  private void start(FrontEnd frontEnd) {
    InMemoryTransport side = link.acceptor();
    daemon("conformance front end", () -> {
      try {
        exit.complete(frontEnd.serve(side.input(), side.output()));
      } catch (Exception | Error e) {
        exit.completeExceptionally(e);
      } finally {
        side.close();
      }
    });
    daemon("conformance editor reader", this::readFrontEnd);
  }

  private void readFrontEnd() {
    BaseProtocol.Reader reader = new BaseProtocol.Reader(link.initiator().input(), Integer.MAX_VALUE - 8);
    try {
      byte[] message;
      while ((message = reader.read()) != null) {
        inbound.add(message);
      }
      inbound.add(END);
    } catch (IOException e) {
      inbound.add(e);
    }
  }

  void send(String json) throws IOException {
    send(json.getBytes(StandardCharsets.UTF_8));
  }

  void send(byte[] body) throws IOException {
    BaseProtocol.write(link.initiator().output(), body);
  }

  /** The next message the front end wrote, as bytes; null when it ended its output. */
  byte[] nextRaw() throws Exception {
    Object item = inbound.poll(CheckSupport.ANSWER_SECONDS, TimeUnit.SECONDS);
    if (item == null) {
      throw new Failure("the editor got nothing within " + CheckSupport.ANSWER_SECONDS + " s" + stderrNote());
    }
    if (item instanceof IOException e) {
      throw new Failure("the front end's output is not LSP/DAP framing: " + e.getMessage());
    }
    return item == END ? null : (byte[]) item;
  }

  /** The next message matching {@code wanted}; the others are kept in {@link #skipped}. */
  JsonObject await(String what, Predicate<JsonObject> wanted) throws Exception {
    return parse(awaitRaw(what, wanted));
  }

  /** As {@link #await}, returning the message's bytes as the editor got them. */
  byte[] awaitRaw(String what, Predicate<JsonObject> wanted) throws Exception {
    while (true) {
      byte[] raw = nextRaw();
      require(raw != null, "the front end ended its output before " + what + stderrNote());
      JsonObject message = parse(raw);
      if (wanted.test(message)) {
        return raw;
      }
      skipped.add(message);
    }
  }

  /** The status {@code tether lsp}/{@code tether dap} exits with, once it is done. */
  int exitCode() throws Exception {
    try {
      return exit.get(CheckSupport.ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new Failure("the front end did not finish within " + CheckSupport.ANSWER_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new Failure("the front end failed: " + e.getCause());
    }
  }

  /** What the front end printed on its stderr so far. */
  String stderr() {
    return stderr.toString(StandardCharsets.UTF_8).strip();
  }

  private String stderrNote() {
    String text = stderr();
    return text.isEmpty() ? "" : " (stderr: " + text + ")";
  }

  static JsonObject parse(byte[] body) throws Failure {
    try {
      return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new Failure("the editor got a message that is not a JSON object: " + e.getMessage());
    }
  }

  /**
   * Closes the editor's side as an editor that quits does, waits (bounded) for the front end to end,
   * which the agent makes the server do, then ends the session and removes the directories.
   */
  @Override
  public void close() {
    try {
      link.initiator().close();
      exit.get(CheckSupport.ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the check's verdict is made; the session's end below ends the server on the host
    } finally {
      link.cut();
      session.close();
      workspace.delete();
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }
}
