package dev.tether.conformance.lsp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The editor's end of a {@code tether lsp} process: writes Content-Length framed JSON-RPC to its
 * stdin and reads its stdout as strictly as an editor must (a header block with exactly one
 * Content-Length, then that many bytes of JSON). Every message the process writes is recorded, so a
 * test can check what the editor was ever shown; anything on stdout that is not a valid frame is
 * recorded as a protocol violation and ends reading.
 *
 * <p>Server-to-editor requests are answered as a minimal editor would: {@code workspace/configuration}
 * with a null per item, everything else with a null result.
 *
 * <p>Threading: one reader thread; the request and notification methods may be called from any thread.
 */
public final class LspEditor {
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  private final OutputStream toServer;
  private final List<String> received = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Map<String, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final Thread reader;

  LspEditor(InputStream fromServer, OutputStream toServer, String name) {
    this.toServer = toServer;
    this.reader = new Thread(() -> readAll(fromServer), "editor " + name);
    reader.setDaemon(true);
    reader.start();
  }

  // ---- what the editor sends ----

  /** Sends a request and waits for its response (result or error), the whole message. */
  public JsonObject request(String method, JsonElement params) {
    String id = Integer.toString(nextId.getAndIncrement());
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    pending.put(id, answer);
    JsonObject message = message(method, params);
    message.addProperty("id", Integer.parseInt(id));
    send(message);
    try {
      return answer.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer to " + method + " within " + ANSWER_TIMEOUT.toSeconds() + " s; the editor saw: "
          + transcriptTail());
    } catch (Exception e) {
      throw new AssertionError("no answer to " + method + ": " + e.getMessage() + "; the editor saw: " + transcriptTail(), e);
    }
  }

  /** A request whose response must be a result; returns the result (possibly JSON null). */
  public JsonElement call(String method, JsonElement params) {
    JsonObject response = request(method, params);
    if (response.has("error")) {
      throw new AssertionError(method + " failed: " + response.get("error"));
    }
    return response.get("result");
  }

  public void notify(String method, JsonElement params) {
    send(message(method, params));
  }

  /** Ends the editor's output, as an editor does when it goes away. */
  public void closeOutput() {
    try {
      toServer.close();
    } catch (IOException ignored) {
      // the process is gone already
    }
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

  private synchronized void send(JsonObject message) {
    byte[] body = message.toString().getBytes(StandardCharsets.UTF_8);
    try {
      toServer.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      toServer.write(body);
      toServer.flush();
    } catch (IOException e) {
      throw new AssertionError("cannot write " + message.get("method") + " to tether lsp: " + e.getMessage()
          + "; the editor saw: " + transcriptTail(), e);
    }
  }

  // ---- what the editor sees ----

  /**
   * Waits for a notification of {@code method} matching {@code match}, received at any time since the
   * editor started (so one that raced ahead of the wait is found too).
   */
  public JsonObject awaitNotification(String method, Predicate<JsonObject> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (true) {
        for (String raw : received) {
          JsonObject message = JsonParser.parseString(raw).getAsJsonObject();
          if (method.equals(string(message, "method")) && !message.has("id") && match.test(message)) {
            return message;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || ended.isDone()) {
          throw new AssertionError("no " + method + " as expected within " + timeout.toSeconds() + " s"
              + (ended.isDone() ? " (tether lsp closed its output)" : "") + "; the editor saw: " + transcriptTail());
        }
        try {
          received.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Every message tether wrote to the editor so far, as the JSON text it sent. */
  public List<String> transcript() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** Stdout problems: bytes that were not a well-formed frame with a JSON body. */
  public List<String> violations() {
    synchronized (received) {
      return List.copyOf(violations);
    }
  }

  /** Waits for the process's stdout to end (after it exited) and for the last frame to be read. */
  public void awaitEnd(Duration timeout) {
    try {
      ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("tether lsp's stdout did not end within " + timeout.toSeconds() + " s", e);
    }
  }

  public String transcriptTail() {
    List<String> all = transcript();
    List<String> tail = all.subList(Math.max(0, all.size() - 8), all.size());
    String text = String.join("\n  ", tail.stream().map(m -> m.length() > 600 ? m.substring(0, 600) + "..." : m).toList());
    return all.size() + " message(s)" + (all.isEmpty() ? "" : ", last:\n  " + text)
        + (violations().isEmpty() ? "" : "\n  violations: " + violations());
  }

  // ---- reading ----

  private void readAll(InputStream in) {
    try (in) {
      while (true) {
        Integer length = readHeaders(in);
        if (length == null) {
          break;
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
          violation("stdout ended inside a frame: " + body.length + " of " + length + " bytes");
          break;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        JsonObject message;
        try {
          message = JsonParser.parseString(text).getAsJsonObject();
        } catch (RuntimeException e) {
          violation("a frame whose body is not a JSON object: " + text);
          break;
        }
        synchronized (received) {
          received.add(text);
          received.notifyAll();
        }
        dispatch(message);
      }
    } catch (IOException e) {
      violation("reading stdout failed: " + e);
    } finally {
      ended.complete(null);
      pending.values().forEach(f -> f.completeExceptionally(new IOException("tether lsp closed its output")));
      synchronized (received) {
        received.notifyAll();
      }
    }
  }

  /** Reads one header block; null at a clean end of stream (between frames). */
  private Integer readHeaders(InputStream in) throws IOException {
    Integer length = null;
    boolean first = true;
    while (true) {
      String line = readLine(in, first);
      if (line == null) {
        return null;
      }
      first = false;
      if (line.isEmpty()) {
        if (length == null) {
          violation("a header block without Content-Length");
          return null;
        }
        return length;
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon).strip();
      if (name.equalsIgnoreCase("Content-Length") && length == null) {
        try {
          length = Integer.parseInt(line.substring(colon + 1).strip());
          continue;
        } catch (NumberFormatException e) {
          // reported below
        }
      } else if (name.equalsIgnoreCase("Content-Type")) {
        continue;
      }
      violation("not an LSP header line: '" + line + "'");
      return null;
    }
  }

  /** A CRLF-terminated ASCII line; null at end of stream before any byte when {@code endAllowed}. */
  private String readLine(InputStream in, boolean endAllowed) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (endAllowed && line.size() == 0) {
          return null;
        }
        violation("stdout ended inside a header: '" + line.toString(StandardCharsets.UTF_8) + "'");
        return null;
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
          violation("a header line not ended by CRLF: '" + line.toString(StandardCharsets.UTF_8) + "'");
          return null;
        }
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
      }
      line.write(b);
      if (line.size() > 1024) {
        violation("a header line longer than 1 KiB: '" + line.toString(StandardCharsets.UTF_8).substring(0, 200) + "...'");
        return null;
      }
    }
  }

  private void violation(String what) {
    synchronized (received) {
      violations.add(what);
    }
  }

  private void dispatch(JsonObject message) {
    String method = string(message, "method");
    if (method == null && message.has("id")) {
      CompletableFuture<JsonObject> waiting = pending.remove(message.get("id").getAsString());
      if (waiting != null) {
        waiting.complete(message);
      }
    } else if (method != null && message.has("id")) {
      answer(message, method);
    }
  }

  /** Answers a server-to-editor request the way a minimal editor does. */
  private void answer(JsonObject request, String method) {
    JsonElement result = JsonNull.INSTANCE;
    if (method.equals("workspace/configuration")) {
      JsonArray nulls = new JsonArray();
      JsonObject params = request.getAsJsonObject("params");
      int items = params == null || !params.has("items") ? 0 : params.getAsJsonArray("items").size();
      for (int i = 0; i < items; i++) {
        nulls.add(JsonNull.INSTANCE);
      }
      result = nulls;
    }
    JsonObject response = new JsonObject();
    response.addProperty("jsonrpc", "2.0");
    response.add("id", request.get("id"));
    response.add("result", result);
    try {
      send(response);
    } catch (AssertionError gone) {
      // the process ended while it waited for us: nothing to answer
    }
  }

  static String string(JsonObject object, String member) {
    JsonElement e = object.get(member);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }
}
