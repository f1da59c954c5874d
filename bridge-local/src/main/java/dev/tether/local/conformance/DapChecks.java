package dev.tether.local.conformance;

import static dev.tether.local.conformance.Check.require;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * The {@code dap} group: path mapping and reverse requests of {@code tether dap} (DESIGN.md, DAP;
 * docs/DEBUGGING.md), proved through its front end with {@code --map} against the agent's scripted
 * debug adapter ({@code tether-remote test-peer dap}), which reports the bytes it received and sends
 * the events and reverse requests it is told to.
 */
public final class DapChecks {
  private static final String DAP = "DESIGN.md Editor-facing behaviour (DAP); DEBUGGING.md";

  private DapChecks() {}

  public static List<Check> all() {
    return List.of(
        new Check("dap.path-mapping", "launch paths, breakpoint sources and stack frames are mapped both ways",
            DAP + " Paths", DapChecks::pathMapping),
        new Check("dap.run-in-terminal", "runInTerminal runs on the host: the client never sees it, the adapter gets a processId, seq stays consistent",
            DAP + " What runs where", DapChecks::runInTerminal),
        new Check("dap.start-debugging", "startDebugging reaches the client with its configuration mapped, and the answer reaches the adapter",
            DAP + " What runs where", DapChecks::startDebugging));
  }

  static void pathMapping(Target target) throws Exception {
    try (Editor client = Editor.dap(target)) {
      Editor.Workspace ws = client.workspace();
      // the client's checkout has the files, so the adapter's sources map to them (no host copy is wanted)
      for (String file : List.of("src/app.py", "lib/util.py")) {
        java.nio.file.Files.createDirectories(ws.local().resolve(file).getParent());
        java.nio.file.Files.writeString(ws.local().resolve(file), "pass\n");
      }
      initialize(client);
      client.send("{\"seq\":2,\"type\":\"request\",\"command\":\"launch\",\"arguments\":{\"program\":\""
          + ws.localPath("src/app.py") + "\",\"cwd\":\"" + ws.localPath("") + "\",\"pathMappings\":[{\"localRoot\":\""
          + ws.localPath("") + "\",\"remoteRoot\":\"/srv\"}]}}");
      JsonObject launch = received(client.await("the launch response", response(2)));
      JsonObject arguments = launch.getAsJsonObject("arguments");
      requireEquals(arguments.get("program").getAsString(), ws.remotePath("src/app.py"), "launch program at the adapter");
      requireEquals(arguments.get("cwd").getAsString(), ws.remotePath(""), "launch cwd at the adapter");
      requireEquals(arguments.getAsJsonArray("pathMappings").get(0).getAsJsonObject().get("localRoot").getAsString(),
          ws.localPath(""), "pathMappings (the debugger's own, to pass untouched)");

      client.send("{\"seq\":3,\"type\":\"request\",\"command\":\"setBreakpoints\",\"arguments\":{\"source\":{\"name\":\"app.py\","
          + "\"path\":\"" + ws.localPath("src/app.py") + "\"},\"breakpoints\":[{\"line\":3}]}}");
      JsonObject breakpoints = client.await("the setBreakpoints response", response(3));
      requireEquals(received(breakpoints).getAsJsonObject("arguments").getAsJsonObject("source").get("path").getAsString(),
          ws.remotePath("src/app.py"), "setBreakpoints source.path at the adapter");
      requireEquals(sourcePath(breakpoints, "breakpoints", "Breakpoint"), ws.localPath("src/app.py"),
          "Breakpoint.source.path at the client");

      client.send("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
      JsonObject frames = client.await("the stackTrace response", response(4));
      requireEquals(sourcePath(frames, "stackFrames", "StackFrame"), ws.localPath("src/app.py"),
          "StackFrame.source.path at the client");

      JsonObject output = new JsonObject();
      output.addProperty("type", "event");
      output.addProperty("event", "output");
      JsonObject body = new JsonObject();
      body.addProperty("output", "hello\n");
      JsonObject source = new JsonObject();
      source.addProperty("path", ws.remotePath("lib/util.py"));
      body.add("source", source);
      body.addProperty("line", 1);
      output.add("body", body);
      client.send(tetherSend(5, output));
      JsonObject event = client.await("the output event", event("output"));
      requireEquals(event.getAsJsonObject("body").getAsJsonObject("source").get("path").getAsString(),
          ws.localPath("lib/util.py"), "output event source.path at the client");
    }
  }

  static void runInTerminal(Target target) throws Exception {
    try (Editor client = Editor.dap(target)) {
      initialize(client);
      JsonObject request = new JsonObject();
      request.addProperty("type", "request");
      request.addProperty("command", "runInTerminal");
      JsonObject arguments = new JsonObject();
      arguments.addProperty("kind", "integrated");
      arguments.addProperty("title", "conformance");
      JsonArray args = new JsonArray();
      List.of("sh", "-c", "exit 0").forEach(args::add);
      arguments.add("args", args);
      request.add("arguments", arguments);
      client.send(tetherSend(2, request));
      JsonObject report = client.await("the adapter's report of the runInTerminal answer", event("tetherGotResponse"));
      JsonObject answer = received(report);
      require(answer.get("success").getAsBoolean() && answer.get("command").getAsString().equals("runInTerminal"),
          "the adapter's runInTerminal was answered " + answer);
      JsonElement pid = answer.getAsJsonObject("body").get("processId");
      require(pid != null && pid.getAsLong() > 0, "the runInTerminal answer has no processId: " + answer);
      require(client.skipped.stream().noneMatch(m -> "runInTerminal".equals(string(m, "command"))),
          "the client was sent the runInTerminal request");
      client.send("{\"seq\":3,\"type\":\"request\",\"command\":\"tetherSeqs\"}");
      JsonArray seqs = client.await("the tetherSeqs response", response(3)).getAsJsonObject("body").getAsJsonArray("seqs");
      for (int i = 0; i < seqs.size(); i++) {
        require(seqs.get(i).getAsLong() == i + 1, "the adapter received seqs " + seqs + ": not 1, 2, 3… once the bridge's "
            + "own answer was numbered in");
      }
      require(seqs.size() == 4, "the adapter received " + seqs.size() + " messages " + seqs + ", expected 4");
    }
  }

  static void startDebugging(Target target) throws Exception {
    try (Editor client = Editor.dap(target)) {
      Editor.Workspace ws = client.workspace();
      initialize(client);
      JsonObject request = new JsonObject();
      request.addProperty("type", "request");
      request.addProperty("command", "startDebugging");
      JsonObject arguments = new JsonObject();
      arguments.addProperty("request", "launch");
      JsonObject configuration = new JsonObject();
      configuration.addProperty("name", "child");
      configuration.addProperty("program", ws.remotePath("src/child.py"));
      configuration.addProperty("cwd", ws.remotePath(""));
      arguments.add("configuration", configuration);
      request.add("arguments", arguments);
      client.send(tetherSend(2, request));
      JsonObject got = client.await("the startDebugging request", m -> "startDebugging".equals(string(m, "command")));
      JsonObject seen = got.getAsJsonObject("arguments").getAsJsonObject("configuration");
      requireEquals(seen.get("program").getAsString(), ws.localPath("src/child.py"), "startDebugging configuration.program at the client");
      requireEquals(seen.get("cwd").getAsString(), ws.localPath(""), "startDebugging configuration.cwd at the client");
      long requestSeq = got.get("seq").getAsLong();
      client.send("{\"seq\":3,\"type\":\"response\",\"request_seq\":" + requestSeq
          + ",\"success\":true,\"command\":\"startDebugging\"}");
      JsonObject answer = received(client.await("the adapter's report of the answer", event("tetherGotResponse")));
      require(answer.get("success").getAsBoolean() && answer.get("command").getAsString().equals("startDebugging"),
          "the adapter got " + answer + " for its startDebugging");
      require(answer.get("request_seq").getAsLong() == requestSeq,
          "the answer reached the adapter with request_seq " + answer.get("request_seq") + ", it sent seq " + requestSeq);
    }
  }

  /** {@code body.LIST[0].source.path} of a response, or a failure saying what is missing. */
  private static String sourcePath(JsonObject response, String list, String type) throws Check.Failure {
    JsonElement items = response.has("body") ? response.getAsJsonObject("body").get(list) : null;
    require(items != null && items.isJsonArray() && !items.getAsJsonArray().isEmpty(), "the response has no " + list + ": " + response);
    JsonObject first = items.getAsJsonArray().get(0).getAsJsonObject();
    require(first.has("source") && first.getAsJsonObject("source").has("path"),
        "the client got a " + type + " without source.path: " + first);
    return first.getAsJsonObject("source").get("path").getAsString();
  }

  private static void initialize(Editor client) throws Exception {
    client.send("{\"seq\":1,\"type\":\"request\",\"command\":\"initialize\",\"arguments\":{\"adapterID\":\"conformance\","
        + "\"pathFormat\":\"path\",\"supportsRunInTerminalRequest\":true,\"supportsStartDebuggingRequest\":true}}");
    JsonObject answer = client.await("the initialize response", response(1));
    require(answer.get("success").getAsBoolean(), "initialize failed: " + answer);
  }

  /** A request that makes the adapter send {@code message} (numbered by the adapter) before it answers. */
  private static String tetherSend(long seq, JsonObject message) {
    JsonArray messages = new JsonArray();
    messages.add(message);
    JsonObject arguments = new JsonObject();
    arguments.add("messages", messages);
    JsonObject request = new JsonObject();
    request.addProperty("seq", seq);
    request.addProperty("type", "request");
    request.addProperty("command", "tetherSend");
    request.add("arguments", arguments);
    return request.toString();
  }

  /** The request (or response) the adapter reports it received, parsed. */
  private static JsonObject received(JsonObject message) throws Exception {
    JsonObject body = message.getAsJsonObject("body");
    require(body != null && body.has("received"), "the adapter's message lacks body.received: " + message);
    return Editor.parse(Base64.getDecoder().decode(body.get("received").getAsString()));
  }

  private static Predicate<JsonObject> response(long requestSeq) {
    return m -> "response".equals(string(m, "type")) && m.has("request_seq") && m.get("request_seq").getAsLong() == requestSeq;
  }

  private static Predicate<JsonObject> event(String name) {
    return m -> "event".equals(string(m, "type")) && name.equals(string(m, "event"));
  }

  private static String string(JsonObject message, String member) {
    JsonElement value = message.get(member);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }

  private static void requireEquals(String got, String expected, String what) throws Check.Failure {
    require(got.equals(expected), what + " is " + got + ", expected " + expected);
  }
}
