package dev.tether.local.dap;

import com.google.gson.JsonObject;
import dev.tether.adapters.dap.DapRewriter;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * No adapter could be started: every request the client sends ({@code initialize} first) gets an
 * error response carrying the reason (shown to the user), until the client disconnects, closes the
 * stream, or stays silent for {@link #QUIET_MILLIS}. Never a hang.
 */
final class Refusal {
  static final long QUIET_MILLIS = 10_000;

  private final BaseProtocol.Reader reader;
  private final OutputStream out;
  private final String reason;
  private final AtomicLong seq = new AtomicLong();

  Refusal(BaseProtocol.Reader reader, OutputStream out, String reason) {
    this.reader = reader;
    this.out = out;
    this.reason = reason;
  }

  /** Answers until the client is done; returns the exit status (1). */
  int run() {
    Thread answering = new Thread(this::answer, "refuse");
    answering.setDaemon(true);
    answering.start();
    try {
      while (answering.isAlive()) {
        long before = seq.get();
        answering.join(QUIET_MILLIS);
        if (seq.get() == before) {
          break; // the client went quiet: it has had its answer
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 1;
  }

  private void answer() {
    try {
      byte[] message;
      while ((message = reader.read()) != null) {
        JsonObject request = DapRewriter.parse(message);
        if (request == null || !"request".equals(string(request, "type"))) {
          continue;
        }
        boolean disconnect = "disconnect".equals(string(request, "command"));
        BaseProtocol.write(out, DapRewriter.serialize(response(request, disconnect)));
        if (disconnect) {
          return;
        }
      }
    } catch (IOException clientGone) {
      // nobody left to tell
    }
  }

  private JsonObject response(JsonObject request, boolean success) {
    JsonObject response = new JsonObject();
    response.addProperty("seq", seq.incrementAndGet());
    response.addProperty("type", "response");
    response.add("request_seq", request.get("seq"));
    response.addProperty("success", success);
    response.add("command", request.get("command"));
    if (!success) {
      response.addProperty("message", reason);
      JsonObject error = new JsonObject();
      error.addProperty("id", 1);
      error.addProperty("format", reason.replace("{", "(").replace("}", ")"));
      error.addProperty("showUser", true);
      JsonObject body = new JsonObject();
      body.add("error", error);
      response.add("body", body);
    }
    return response;
  }

  private static String string(JsonObject object, String member) {
    return object.has(member) && object.get(member).isJsonPrimitive() ? object.get(member).getAsString() : null;
  }
}
