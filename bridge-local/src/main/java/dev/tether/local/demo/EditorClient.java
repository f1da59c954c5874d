package dev.tether.local.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.local.TetherException;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The demo's editor: the client end of LSP on a {@code tether lsp} process's stdio. Requests wait for
 * their response; notifications are kept so a step can wait for one (diagnostics); requests from the
 * server are answered the way a minimal editor would ({@code workspace/configuration} with nulls,
 * everything else with a null result), so no server ever blocks on us.
 *
 * <p>Threading: one reader thread ({@code demo-editor-reader}) parses and dispatches; any thread may
 * send, and sends are serialized on the output stream.
 */
final class EditorClient {
  private final OutputStream toServer;
  private final Supplier<String> whyGone;
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final List<JsonObject> notifications = new ArrayList<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final AtomicInteger nextId = new AtomicInteger();

  /** {@code whyGone} explains an unexpected end of the stream (the process's last error line). */
  EditorClient(InputStream fromServer, OutputStream toServer, Supplier<String> whyGone) {
    this.toServer = toServer;
    this.whyGone = whyGone;
    Thread reader = new Thread(() -> readAll(new BaseProtocol.Reader(fromServer, 64 * 1024 * 1024)), "demo-editor-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Sends a request and waits for its response; an error response becomes a {@link TetherException}. */
  JsonElement request(String method, JsonElement params, Duration timeout) throws IOException {
    JsonObject answer = exchange(method, params, timeout);
    if (answer.has("error")) {
      JsonObject error = answer.getAsJsonObject("error");
      throw new TetherException(method + " failed: " + error.get("message").getAsString()
          + " (code " + error.get("code") + ")");
    }
    return answer.has("result") ? answer.get("result") : JsonNull.INSTANCE;
  }

  /** Sends a request and waits for its response message, result or error. */
  JsonObject exchange(String method, JsonElement params, Duration timeout) throws IOException {
    CompletableFuture<JsonObject> response = new CompletableFuture<>();
    int id = nextId.getAndIncrement();
    pending.put(id, response);
    JsonObject message = message(method, params);
    message.addProperty("id", id);
    send(message);
    return await(response, timeout, "no answer to " + method);
  }

  void sendNotification(String method, JsonElement params) throws IOException {
    send(message(method, params));
  }

  /** The first notification (received before or after this call) named {@code method} whose params match. */
  JsonObject awaitNotification(String method, Predicate<JsonObject> params, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (notifications) {
      while (true) {
        Optional<JsonObject> match = notifications.stream()
            .filter(n -> n.get("method").getAsString().equals(method) && params.test(n.getAsJsonObject("params")))
            .findFirst();
        if (match.isPresent()) {
          return match.get().getAsJsonObject("params");
        }
        if (ended.isDone()) {
          return gone("no " + method + " notification");
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new TetherException("no " + method + " notification within " + timeout.toSeconds() + " s");
        }
        try {
          notifications.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException(method);
        }
      }
    }
  }

  /** Error messages the bridge or the server showed with {@code window/showMessage}. */
  List<String> shownErrors() {
    synchronized (notifications) {
      return notifications.stream()
          .filter(n -> n.get("method").getAsString().equals("window/showMessage"))
          .map(n -> n.getAsJsonObject("params"))
          .filter(p -> p.get("type").getAsInt() == 1)
          .map(p -> p.get("message").getAsString())
          .toList();
    }
  }

  private <T> T await(CompletableFuture<T> future, Duration timeout, String what) throws IOException {
    try {
      CompletableFuture.anyOf(future, ended).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TetherException(what + " within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(what);
    } catch (ExecutionException e) {
      throw new TetherException(what + ": " + e.getCause().getMessage(), e.getCause());
    }
    return future.isDone() ? future.join() : gone(what);
  }

  private <T> T gone(String what) throws TetherException {
    String reason = whyGone.get();
    throw new TetherException(what + ": tether lsp ended" + (reason.isEmpty() ? "" : " (" + reason + ")"));
  }

  private void readAll(BaseProtocol.Reader reader) {
    try {
      byte[] body;
      while ((body = reader.read()) != null) {
        dispatch(JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject());
      }
    } catch (IOException | RuntimeException e) {
      // the process ended mid-message or wrote something that is not LSP; whyGone tells the user
    }
    ended.complete(null);
    synchronized (notifications) {
      notifications.notifyAll();
    }
  }

  private void dispatch(JsonObject message) throws IOException {
    boolean hasId = message.has("id") && !message.get("id").isJsonNull();
    if (!message.has("method")) {
      CompletableFuture<JsonObject> waiting = hasId ? pending.remove(message.get("id").getAsInt()) : null;
      if (waiting != null) {
        waiting.complete(message);
      }
    } else if (hasId) {
      answerServerRequest(message);
    } else {
      synchronized (notifications) {
        notifications.add(message);
        notifications.notifyAll();
      }
    }
  }

  private void answerServerRequest(JsonObject request) throws IOException {
    JsonElement result = JsonNull.INSTANCE;
    if (request.get("method").getAsString().equals("workspace/configuration")) {
      JsonArray nulls = new JsonArray();
      request.getAsJsonObject("params").getAsJsonArray("items").forEach(item -> nulls.add(JsonNull.INSTANCE));
      result = nulls;
    }
    JsonObject response = new JsonObject();
    response.addProperty("jsonrpc", "2.0");
    response.add("id", request.get("id"));
    response.add("result", result);
    send(response);
  }

  private static JsonObject message(String method, JsonElement params) {
    JsonObject message = new JsonObject();
    message.addProperty("jsonrpc", "2.0");
    message.addProperty("method", method);
    if (params != null) {
      message.add("params", params);
    }
    return message;
  }

  private void send(JsonObject message) throws IOException {
    synchronized (toServer) {
      BaseProtocol.write(toServer, message.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
