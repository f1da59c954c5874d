package dev.tether.local.conformance;

import static dev.tether.local.conformance.Check.require;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The {@code lsp} group: DESIGN.md's transparency list for the editor-facing side of {@code tether lsp},
 * proved through its front end with {@code --map} against the agent's scripted language server
 * ({@code tether-remote test-peer lsp}, which reports the bytes it received and sends what it is
 * told). Each check is one editor session with a test peer of its own; the workspace mapping is a
 * local directory onto a host directory of another name (with a space), so every URI must change.
 */
public final class LspChecks {
  private static final String TRANSPARENT = "DESIGN.md Editor-facing behaviour (transparent)";
  private static final String PATHS = "DESIGN.md Editor-facing behaviour (paths, initialize)";
  /** The largest message an LSP front end and the agent accept (PROTOCOL.md §5 maxMessageSize). */
  static final int LARGEST = 64 * 1024 * 1024;

  private LspChecks() {}

  public static List<Check> all() {
    return List.of(
        new Check("lsp.byte-identical", "a message with no URIs reaches the server, and the server's the editor, byte for byte",
            TRANSPARENT, LspChecks::byteIdentical),
        new Check("lsp.id-types", "request ids keep type and value both ways: 0, -1, 2^53+1, 20 digits, strings",
            TRANSPARENT, LspChecks::idTypes),
        new Check("lsp.cancel", "$/cancelRequest reaches the server with the id, and its RequestCancelled reaches the editor",
            TRANSPARENT, LspChecks::cancel),
        new Check("lsp.server-request", "server-to-client requests reach the editor with their ids; answers with \"result\":null reach the server",
            TRANSPARENT, LspChecks::serverRequest),
        new Check("lsp.progress", "$/progress begin, report and end reach the editor in order, unchanged",
            TRANSPARENT, LspChecks::progress),
        new Check("lsp.unknown-methods", "unknown requests and notifications pass both ways and are answered by the other side",
            TRANSPARENT, LspChecks::unknownMethods),
        new Check("lsp.initialize", "initialize: rootUri, rootPath and workspaceFolders reach the server as host paths; processId replaced",
            PATHS, LspChecks::initialize),
        new Check("lsp.uri-mapping", "URIs are mapped both ways where the protocol puts them, WorkspaceEdit.changes keys included",
            PATHS, LspChecks::uriMapping),
        new Check("lsp.large-message", "a 64 MiB message passes both ways (the largest allowed), bytes intact",
            "DESIGN.md Editor-facing behaviour; PROTOCOL.md §5 maxMessageSize", LspChecks::largeMessage),
        new Check("lsp.server-crash", "a server that crashes is shown in the editor with its exit status, and tether lsp exits 1",
            "DESIGN.md Editor-facing behaviour (connection trouble); CLI contract (exit codes)", LspChecks::serverCrash));
  }

  static void byteIdentical(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      // odd spacing, member order, escapes, a non-ASCII character and number spellings a parser would normalize
      String request = "{ \"params\" : {\"b\":1.50,\"a\":[1e3, -0, \"\\u00e9\\/\",\"é ✓\"],\"c\":null} ,\"method\":\"test/echo\",\"id\":1, \"jsonrpc\":\"2.0\" }";
      editor.send(request);
      JsonObject echo = editor.await("the answer to test/echo", response(1));
      require(echo.has("result"), "test/echo was answered " + echo + ", not by the server");
      requireReceived(echo.getAsJsonObject("result"), request.getBytes(StandardCharsets.UTF_8), "the server");
      String notification = "{\"jsonrpc\" :\"2.0\",\"method\":\"test/note\", \"params\":{\"z\":[],\"text\":\"\\u2028 é\",\"n\":1.0E+3}}";
      editor.send(send(2, notification));
      byte[] got = editor.awaitRaw("test/note from the server", method("test/note"));
      require(Arrays.equals(got, notification.getBytes(StandardCharsets.UTF_8)),
          "the editor got " + text(got) + " where the server sent " + notification);
    }
  }

  static void idTypes(Target target) throws Exception {
    List<String> ids = List.of("0", "-1", "9007199254740993", "12345678901234567890", "\"7\"", "\"a-string-id ✓\"", "\"\"");
    try (Editor editor = Editor.lsp(target)) {
      for (String id : ids) {
        editor.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"test/echo\"}");
        JsonObject answer = editor.await("the answer to request id " + id, m -> !m.has("method"));
        require(answer.has("id") && answer.get("id").toString().equals(id),
            "request id " + id + " was answered with id " + answer.get("id"));
      }
      String fromServer = "{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"workspace/semanticTokens/refresh\"}";
      editor.send(send("\"send\"", fromServer));
      byte[] got = editor.awaitRaw("the server's request", method("workspace/semanticTokens/refresh"));
      require(Arrays.equals(got, fromServer.getBytes(StandardCharsets.UTF_8)), "the editor got " + text(got)
          + " where the server sent " + fromServer);
    }
  }

  static void cancel(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      editor.send("{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"test/hold\"}");
      String cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":77}}";
      editor.send(cancel);
      JsonObject answer = editor.await("the answer to the cancelled request 77", response(77));
      require(answer.has("error") && answer.getAsJsonObject("error").get("code").getAsInt() == -32800,
          "the cancelled request was answered " + answer + ", expected error -32800 RequestCancelled from the server");
      requireReceived(answer.getAsJsonObject("error").getAsJsonObject("data"), cancel.getBytes(StandardCharsets.UTF_8),
          "the server");
    }
  }

  static void serverRequest(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      String create = "{\"jsonrpc\":\"2.0\",\"id\":\"tether-1\",\"method\":\"window/workDoneProgress/create\",\"params\":{\"token\":\"t-1\"}}";
      String refresh = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"workspace/inlayHint/refresh\"}";
      editor.send(send(1, create, refresh));
      requireSame(editor.awaitRaw("window/workDoneProgress/create", method("window/workDoneProgress/create")), create);
      requireSame(editor.awaitRaw("workspace/inlayHint/refresh", method("workspace/inlayHint/refresh")), refresh);
      for (String answer : List.of("{\"jsonrpc\":\"2.0\",\"id\":\"tether-1\",\"result\":null}",
          "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":4}")) {
        editor.send(answer);
        JsonObject report = editor.await("the server's report of the answer", method("test/gotResponse"));
        requireReceived(report.getAsJsonObject("params"), answer.getBytes(StandardCharsets.UTF_8), "the server");
      }
    }
  }

  static void progress(Target target) throws Exception {
    String[] steps = {
        "{\"jsonrpc\":\"2.0\",\"method\":\"$/progress\",\"params\":{\"token\":\"t-1\",\"value\":{\"kind\":\"begin\",\"title\":\"Indexing\",\"percentage\":0}}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"$/progress\",\"params\":{\"token\":\"t-1\",\"value\":{\"kind\":\"report\",\"message\":\"3/7\",\"percentage\":42}}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"$/progress\",\"params\":{\"token\":\"t-1\",\"value\":{\"kind\":\"end\"}}}"};
    try (Editor editor = Editor.lsp(target)) {
      editor.send(send(1, steps));
      for (String step : steps) {
        requireSame(editor.awaitRaw("$/progress", method("$/progress")), step);
      }
      require(editor.skipped.stream().noneMatch(m -> m.has("method") && m.get("method").getAsString().equals("$/progress")),
          "a $/progress came out of order");
    }
  }

  static void unknownMethods(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      editor.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tether/no-such-request\",\"params\":{\"x\":1}}");
      JsonObject answer = editor.await("the answer to an unknown request", response(5));
      require(answer.has("error") && answer.getAsJsonObject("error").get("message").getAsString()
          .equals("tether-test-peer: unknown method tether/no-such-request"),
          "an unknown request was answered " + answer + ", not by the server");
      String notification = "{\"jsonrpc\":\"2.0\",\"method\":\"tether/no-such-notification\",\"params\":[1,2]}";
      editor.send(notification);
      JsonObject report = editor.await("the server's report of the notification", method("test/gotNotification"));
      requireReceived(report.getAsJsonObject("params"), notification.getBytes(StandardCharsets.UTF_8), "the server");
      String fromServer = "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tether/no-such-client-method\",\"params\":{\"y\":true}}";
      editor.send(send(7, fromServer));
      requireSame(editor.awaitRaw("the server's unknown request", method("tether/no-such-client-method")), fromServer);
      String reply = "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":-32601,\"message\":\"editor: unknown\"}}";
      editor.send(reply);
      JsonObject got = editor.await("the server's report of the editor's answer", method("test/gotResponse"));
      requireReceived(got.getAsJsonObject("params"), reply.getBytes(StandardCharsets.UTF_8), "the server");
    }
  }

  static void initialize(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      Editor.Workspace ws = editor.workspace();
      long myPid = ProcessHandle.current().pid();
      editor.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"processId\":" + myPid
          + ",\"rootPath\":\"" + ws.localPath("") + "\",\"rootUri\":\"" + ws.localUri("") + "\",\"capabilities\":{},"
          + "\"workspaceFolders\":[{\"uri\":\"" + ws.localUri("") + "\",\"name\":\"ws\"}]}}");
      JsonObject answer = editor.await("the answer to initialize", response(1));
      require(answer.has("result"), "initialize was answered " + answer);
      JsonObject received = Editor.parse(received(answer.getAsJsonObject("result")));
      JsonObject params = received.getAsJsonObject("params");
      requireEquals(params.get("rootUri").getAsString(), ws.remoteUri(""), "rootUri");
      requireEquals(params.get("rootPath").getAsString(), ws.remotePath(""), "rootPath");
      requireEquals(params.getAsJsonArray("workspaceFolders").get(0).getAsJsonObject().get("uri").getAsString(),
          ws.remoteUri(""), "workspaceFolders[0].uri");
      require(params.get("processId").isJsonPrimitive() && params.get("processId").getAsLong() != myPid,
          "processId reached the server as the editor's pid " + params.get("processId"));
    }
  }

  static void uriMapping(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      Editor.Workspace ws = editor.workspace();
      // the editor's checkout has the file, so the server's Location maps to it (no host copy is wanted)
      java.nio.file.Files.createDirectories(ws.local().resolve("src"));
      java.nio.file.Files.writeString(ws.local().resolve("src/a b.py"), "x\n");
      String didOpen = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\""
          + ws.localUri("src/a b.py") + "\",\"languageId\":\"python\",\"version\":1,\"text\":\"x\\n\"}}}";
      editor.send(didOpen);
      JsonObject report = editor.await("the server's report of didOpen", method("test/gotNotification"));
      JsonObject opened = Editor.parse(received(report.getAsJsonObject("params")));
      requireEquals(opened.getAsJsonObject("params").getAsJsonObject("textDocument").get("uri").getAsString(),
          ws.remoteUri("src/a b.py"), "didOpen's textDocument.uri at the server");

      editor.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"textDocument/definition\",\"params\":{\"textDocument\":{\"uri\":\""
          + ws.localUri("src/a b.py") + "\"},\"position\":{\"line\":0,\"character\":0}}}");
      JsonObject definition = editor.await("the answer to textDocument/definition", response(2));
      requireEquals(definition.getAsJsonArray("result").get(0).getAsJsonObject().get("uri").getAsString(),
          ws.localUri("src/a b.py"), "the definition's Location.uri at the editor");

      String applyEdit = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"workspace/applyEdit\",\"params\":{\"edit\":{"
          + "\"changes\":{\"" + ws.remoteUri("src/a b.py") + "\":[" + edit() + "],\"" + ws.remoteUri("lib/c.py") + "\":[]},"
          + "\"documentChanges\":[{\"textDocument\":{\"uri\":\"" + ws.remoteUri("lib/c.py") + "\",\"version\":1},\"edits\":["
          + edit() + "]},{\"kind\":\"rename\",\"oldUri\":\"" + ws.remoteUri("old.py") + "\",\"newUri\":\""
          + ws.remoteUri("new.py") + "\"}]}}}";
      editor.send(send(4, applyEdit));
      JsonObject request = editor.await("workspace/applyEdit", method("workspace/applyEdit"));
      JsonObject edit = request.getAsJsonObject("params").getAsJsonObject("edit");
      requireEquals(String.join(" ", edit.getAsJsonObject("changes").keySet()),
          ws.localUri("src/a b.py") + " " + ws.localUri("lib/c.py"), "WorkspaceEdit.changes keys at the editor");
      JsonArray documentChanges = edit.getAsJsonArray("documentChanges");
      requireEquals(documentChanges.get(0).getAsJsonObject().getAsJsonObject("textDocument").get("uri").getAsString(),
          ws.localUri("lib/c.py"), "documentChanges[0].textDocument.uri at the editor");
      requireEquals(documentChanges.get(1).getAsJsonObject().get("oldUri").getAsString() + " "
          + documentChanges.get(1).getAsJsonObject().get("newUri").getAsString(),
          ws.localUri("old.py") + " " + ws.localUri("new.py"), "RenameFile oldUri and newUri at the editor");

      String diagnostics = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":\""
          + ws.remoteUri("src/a b.py") + "\",\"diagnostics\":[{\"range\":" + range() + ",\"message\":\"m\","
          + "\"relatedInformation\":[{\"location\":{\"uri\":\"" + ws.remoteUri("lib/c.py") + "\",\"range\":" + range()
          + "},\"message\":\"here\"}]}]}}";
      editor.send(send(5, diagnostics));
      JsonObject published = editor.await("textDocument/publishDiagnostics", method("textDocument/publishDiagnostics"));
      JsonObject params = published.getAsJsonObject("params");
      requireEquals(params.get("uri").getAsString(), ws.localUri("src/a b.py"), "publishDiagnostics uri at the editor");
      requireEquals(params.getAsJsonArray("diagnostics").get(0).getAsJsonObject().getAsJsonArray("relatedInformation")
          .get(0).getAsJsonObject().getAsJsonObject("location").get("uri").getAsString(), ws.localUri("lib/c.py"),
          "relatedInformation location uri at the editor");
    }
  }

  static void largeMessage(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      byte[] head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test/digest\",\"params\":{\"data\":\"".getBytes(StandardCharsets.UTF_8);
      byte[] tail = "\"}}".getBytes(StandardCharsets.UTF_8);
      byte[] big = new byte[LARGEST];
      System.arraycopy(head, 0, big, 0, head.length);
      for (int i = head.length; i < big.length - tail.length; i++) {
        big[i] = (byte) ('a' + i % 26);
      }
      System.arraycopy(tail, 0, big, big.length - tail.length, tail.length);
      String sha256 = sha256(big);
      editor.send(big);
      big = null; // let it go before the answer's 64 MiB arrive
      JsonObject answer = editor.await("the server's digest of the 64 MiB message", response(1));
      require(answer.has("result"), "test/digest of 64 MiB was answered " + text(answer.toString().getBytes(StandardCharsets.UTF_8)));
      JsonObject digest = answer.getAsJsonObject("result");
      require(digest.get("size").getAsInt() == LARGEST && digest.get("sha256").getAsString().equals(sha256),
          "the server got " + digest.get("size") + " bytes with SHA-256 " + digest.get("sha256") + ", the editor sent "
          + LARGEST + " with " + sha256);
      editor.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"test/big\",\"params\":{\"size\":" + LARGEST + "}}");
      byte[] back = editor.nextRaw();
      require(back != null, "the front end ended its output instead of passing the server's 64 MiB answer");
      require(back.length == LARGEST, "the server's " + LARGEST + "-byte answer reached the editor as " + back.length
          + " bytes: " + text(back));
      String expectedHead = "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"data\":\"";
      require(new String(back, 0, expectedHead.length(), StandardCharsets.UTF_8).equals(expectedHead)
          && allX(back, expectedHead.length(), back.length - 3), "the server's 64 MiB answer arrived changed");
    }
  }

  static void serverCrash(Target target) throws Exception {
    try (Editor editor = Editor.lsp(target)) {
      editor.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test/crash\",\"params\":{\"status\":3}}");
      JsonObject shown = editor.await("window/showMessage about the crash", method("window/showMessage"));
      JsonObject params = shown.getAsJsonObject("params");
      require(params.get("type").getAsInt() == 1 && params.get("message").getAsString().contains("status 3"),
          "the editor was shown " + params + ", expected an error (type 1) naming exit status 3");
      int exit = editor.exitCode();
      require(exit == 1, "tether lsp exited " + exit + " after its server crashed, expected 1");
      require(editor.stderr().contains("status 3"), "stderr says '" + editor.stderr() + "', nothing about status 3");
    }
  }

  // ---- the vocabulary of the test peer (see TestPeer in bridge-remote)

  /** A test/send request that makes the server send {@code messages} byte for byte. */
  private static String send(Object id, String... messages) {
    JsonArray encoded = new JsonArray();
    for (String message : messages) {
      encoded.add(Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8)));
    }
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"test/send\",\"params\":{\"messages\":" + encoded + "}}";
  }

  /** The bytes the peer reports it received ({@code received}, base64). */
  private static byte[] received(JsonObject report) throws Check.Failure {
    require(report != null && report.has("received"), "the server's report lacks 'received': " + report);
    return Base64.getDecoder().decode(report.get("received").getAsString());
  }

  private static void requireReceived(JsonObject report, byte[] sent, String who) throws Exception {
    byte[] got = received(report);
    require(Arrays.equals(got, sent), who + " got " + text(got) + " where the editor sent " + text(sent));
  }

  private static void requireSame(byte[] got, String sent) throws Check.Failure {
    require(Arrays.equals(got, sent.getBytes(StandardCharsets.UTF_8)),
        "the editor got " + text(got) + " where the server sent " + sent);
  }

  private static void requireEquals(String got, String expected, String what) throws Check.Failure {
    require(got.equals(expected), what + " is " + got + ", expected " + expected);
  }

  static java.util.function.Predicate<JsonObject> response(long id) {
    return m -> !m.has("method") && m.has("id") && m.get("id").isJsonPrimitive()
        && m.get("id").getAsJsonPrimitive().isNumber() && m.get("id").getAsLong() == id;
  }

  static java.util.function.Predicate<JsonObject> method(String name) {
    return m -> m.has("method") && m.get("method").getAsString().equals(name);
  }

  private static String edit() {
    return "{\"range\":" + range() + ",\"newText\":\"y\"}";
  }

  private static String range() {
    return "{\"start\":{\"line\":0,\"character\":0},\"end\":{\"line\":0,\"character\":1}}";
  }

  private static boolean allX(byte[] body, int from, int to) {
    for (int i = from; i < to; i++) {
      if (body[i] != 'x') {
        return false;
      }
    }
    return true;
  }

  static String text(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return text.length() > 300 ? text.substring(0, 300) + "… (" + body.length + " bytes)" : text;
  }

  private static String sha256(byte[] body) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
  }
}
