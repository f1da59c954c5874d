package dev.tether.remote.testpeer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The scripted debug adapter. Every response body carries {@code received}, the base64 of the request's
 * bytes as they arrived. Requests and what they do:
 * <ul>
 *   <li>{@code initialize}: capabilities, then the {@code initialized} event; {@code launch},
 *       {@code attach}, {@code configurationDone}: success.
 *   <li>{@code setBreakpoints}: each requested line verified, with the request's {@code source}.
 *   <li>{@code stackTrace}: one frame in the source of the last {@code setBreakpoints}.
 *   <li>{@code tetherSend {messages: [object...]}}: sends each (an event or a reverse request such as
 *       {@code runInTerminal} or {@code startDebugging}) with the next seq of its own, then answers.
 *   <li>{@code tetherSeqs}: the seq of every message received so far, in order.
 *   <li>{@code tetherCrash {status}}: exits at once with that status.
 *   <li>{@code disconnect}: success, then exit 0. Any other command: {@code success: false} naming it.
 * </ul>
 * Every response it gets (to a reverse request) is reported with a {@code tetherGotResponse {received}}
 * event.
 */
final class DapTestPeer extends TestPeer {
  private long seq;
  private final JsonArray seqsReceived = new JsonArray();
  private JsonElement lastSource;

  DapTestPeer(OutputStream out) {
    super(out);
  }

  @Override
  void handle(byte[] body) throws IOException {
    JsonObject message = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    seqsReceived.add(message.get("seq"));
    String type = message.get("type").getAsString();
    if (type.equals("response")) {
      JsonObject report = new JsonObject();
      report.addProperty("received", base64(body));
      event("tetherGotResponse", report);
    } else if (type.equals("request")) {
      request(message, body);
    }
  }

  private void request(JsonObject request, byte[] raw) throws IOException {
    String command = request.get("command").getAsString();
    JsonObject arguments = request.has("arguments") && request.get("arguments").isJsonObject()
        ? request.getAsJsonObject("arguments") : new JsonObject();
    JsonObject body = new JsonObject();
    body.addProperty("received", base64(raw));
    switch (command) {
      case "initialize" -> {
        body.addProperty("supportsConfigurationDoneRequest", true);
        respond(request, body);
        event("initialized", new JsonObject());
      }
      case "launch", "attach", "configurationDone" -> respond(request, body);
      case "setBreakpoints" -> {
        lastSource = arguments.get("source");
        body.add("breakpoints", breakpoints(arguments));
        respond(request, body);
      }
      case "stackTrace" -> {
        body.add("stackFrames", frames());
        body.addProperty("totalFrames", 1);
        respond(request, body);
      }
      case "tetherSend" -> {
        JsonArray messages = arguments.getAsJsonArray("messages");
        for (JsonElement one : messages) {
          JsonObject message = one.getAsJsonObject().deepCopy();
          message.addProperty("seq", ++seq);
          write(message);
        }
        respond(request, body);
      }
      case "tetherSeqs" -> {
        body.add("seqs", seqsReceived.deepCopy());
        respond(request, body);
      }
      case "tetherCrash" -> crash(arguments.has("status") ? arguments.get("status").getAsInt() : 1);
      case "disconnect" -> {
        respond(request, body);
        System.err.println("tether-remote test-peer: disconnect");
        System.exit(0);
      }
      default -> {
        JsonObject response = response(request, false);
        response.addProperty("message", "tether-test-peer: unknown command " + command);
        response.add("body", body);
        write(response);
      }
    }
  }

  private static JsonArray breakpoints(JsonObject arguments) {
    JsonArray out = new JsonArray();
    JsonArray wanted = arguments.has("breakpoints") ? arguments.getAsJsonArray("breakpoints") : new JsonArray();
    int id = 0;
    for (JsonElement one : wanted) {
      JsonObject breakpoint = new JsonObject();
      breakpoint.addProperty("id", ++id);
      breakpoint.addProperty("verified", true);
      breakpoint.add("line", one.getAsJsonObject().get("line"));
      breakpoint.add("source", arguments.get("source"));
      out.add(breakpoint);
    }
    return out;
  }

  private JsonArray frames() {
    JsonObject frame = new JsonObject();
    frame.addProperty("id", 1);
    frame.addProperty("name", "main");
    frame.addProperty("line", 1);
    frame.addProperty("column", 1);
    if (lastSource != null) {
      frame.add("source", lastSource);
    }
    JsonArray frames = new JsonArray();
    frames.add(frame);
    return frames;
  }

  private void respond(JsonObject request, JsonObject body) throws IOException {
    JsonObject response = response(request, true);
    response.add("body", body);
    write(response);
  }

  private JsonObject response(JsonObject request, boolean success) {
    JsonObject response = new JsonObject();
    response.addProperty("seq", ++seq);
    response.addProperty("type", "response");
    response.add("request_seq", request.get("seq"));
    response.addProperty("success", success);
    response.add("command", request.get("command"));
    return response;
  }

  private void event(String name, JsonObject body) throws IOException {
    JsonObject event = new JsonObject();
    event.addProperty("seq", ++seq);
    event.addProperty("type", "event");
    event.addProperty("event", name);
    event.add("body", body);
    write(event);
  }
}
