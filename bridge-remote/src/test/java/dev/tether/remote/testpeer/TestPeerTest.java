package dev.tether.remote.testpeer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scripted peers alone: what each request makes them write (the conformance checks rely on it). */
class TestPeerTest {
  @Test
  void lspEchoesTheExactBytesAndKeepsTheIdAsSpelled() throws Exception {
    String request = "{ \"id\" : 9007199254740993,\"method\":\"test/echo\", \"jsonrpc\":\"2.0\"}";
    List<String> out = lsp(request);
    assertEquals(1, out.size());
    JsonObject answer = json(out.get(0));
    assertTrue(out.get(0).contains("\"id\":9007199254740993,"), out.get(0));
    assertArrayEquals(request.getBytes(StandardCharsets.UTF_8),
        Base64.getDecoder().decode(answer.getAsJsonObject("result").get("received").getAsString()));
  }

  @Test
  void lspSendsWhatItIsToldByteForByteBeforeItsAnswer() throws Exception {
    String note = "{\"jsonrpc\" : \"2.0\",\"method\":\"x\"}";
    List<String> out = lsp("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"test/send\",\"params\":{\"messages\":[\""
        + Base64.getEncoder().encodeToString(note.getBytes(StandardCharsets.UTF_8)) + "\"]}}");
    assertEquals(List.of(note, "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"result\":{\"sent\":1}}"), out);
  }

  @Test
  void lspHoldsARequestUntilItIsCancelledAndReportsResponsesAndNotifications() throws Exception {
    List<String> out = lsp("{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"test/hold\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":\"h\"}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":\"gone\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"nope\"}");
    assertEquals(4, out.size(), out.toString());
    assertEquals("test/gotResponse", json(out.get(0)).get("method").getAsString());
    assertEquals(-32800, json(out.get(1)).getAsJsonObject("error").get("code").getAsInt());
    assertEquals("\"h\"", json(out.get(1)).get("id").toString());
    assertEquals("test/gotNotification", json(out.get(2)).get("method").getAsString());
    assertEquals("tether-test-peer: unknown method nope", json(out.get(3)).getAsJsonObject("error").get("message").getAsString());
  }

  @Test
  void lspBigAnswerHasExactlyTheSizeAsked() throws Exception {
    List<String> out = lsp("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"test/big\",\"params\":{\"size\":5000}}");
    assertEquals(5000, out.get(0).getBytes(StandardCharsets.UTF_8).length);
    assertTrue(json(out.get(0)).getAsJsonObject("result").get("data").getAsString().matches("x+"));
  }

  @Test
  void lspDigestsAMessageTooLargeToParse() throws Exception {
    String data = "y".repeat(TestPeer.SMALL + 10);
    String request = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"test/digest\",\"params\":{\"d\":\"" + data + "\"}}";
    JsonObject result = json(lsp(request).get(0)).getAsJsonObject("result");
    assertEquals(request.length(), result.get("size").getAsInt());
    assertEquals(LspTestPeer.sha256(request.getBytes(StandardCharsets.UTF_8)), result.get("sha256").getAsString());
  }

  @Test
  void dapNumbersItsOwnMessagesAndSendsReverseRequestsBeforeItsAnswer() throws Exception {
    List<String> out = run(true,
        "{\"seq\":1,\"type\":\"request\",\"command\":\"initialize\"}",
        "{\"seq\":2,\"type\":\"request\",\"command\":\"tetherSend\",\"arguments\":{\"messages\":[{\"type\":\"request\","
            + "\"command\":\"runInTerminal\",\"arguments\":{\"args\":[\"true\"]}}]}}",
        "{\"seq\":3,\"type\":\"response\",\"request_seq\":3,\"success\":true,\"command\":\"runInTerminal\"}",
        "{\"seq\":4,\"type\":\"request\",\"command\":\"tetherSeqs\"}");
    List<String> kinds = new ArrayList<>();
    for (String message : out) {
      JsonObject parsed = json(message);
      kinds.add(parsed.get("seq") + " " + parsed.get("type").getAsString() + " "
          + (parsed.has("command") ? parsed.get("command").getAsString() : parsed.get("event").getAsString()));
    }
    assertEquals(List.of("1 response initialize", "2 event initialized", "3 request runInTerminal",
        "4 response tetherSend", "5 event tetherGotResponse", "6 response tetherSeqs"), kinds);
    assertEquals("[1,2,3,4]", json(out.get(5)).getAsJsonObject("body").get("seqs").toString());
  }

  private static List<String> lsp(String... messages) throws Exception {
    return run(false, messages);
  }

  /** Feeds {@code messages} to a fresh peer (the DAP one when {@code dap}) and returns what it wrote. */
  private static List<String> run(boolean dap, String... messages) throws Exception {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    for (String message : messages) {
      BaseProtocol.write(in, message.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TestPeer peer = dap ? new DapTestPeer(out) : new LspTestPeer(out);
    assertEquals(0, peer.serve(new ByteArrayInputStream(in.toByteArray())));
    BaseProtocol.Reader reader = new BaseProtocol.Reader(new ByteArrayInputStream(out.toByteArray()), 1 << 26);
    List<String> written = new ArrayList<>();
    byte[] message;
    while ((message = reader.read()) != null) {
      written.add(new String(message, StandardCharsets.UTF_8));
    }
    return written;
  }

  private static JsonObject json(String message) {
    return JsonParser.parseString(message).getAsJsonObject();
  }
}
