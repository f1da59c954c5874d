package dev.tether.conformance.dap;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.mux.jsonrpc.BaseProtocol;
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
import java.util.function.Predicate;

/**
 * A DAP client for tests: numbered requests with their responses, the events that arrived (awaited
 * with a deadline, never a sleep), and a transcript for failure messages. It checks what a client
 * relies on in every message it gets: no {@code seq} seen twice, and each response's {@code request_seq}
 * naming a request it sent with the same {@code command}. (Not strict increase: debugpy 1.6 numbers a
 * message under one lock and writes it under another, so two of its threads can put seq 2 before seq 1 on
 * the wire, as its messaging.py {@code _send_message} shows; a bridge bug shows as a duplicate.)
 */
final class DapClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final OutputStream out;
  private final String name;
  private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final Map<Long, String> sentCommands = new ConcurrentHashMap<>();
  private final List<JsonObject> events = new ArrayList<>();
  private final List<String> transcript = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private long seq;
  private final java.util.Set<Long> seqsSeen = new java.util.HashSet<>();

  DapClient(InputStream in, OutputStream out, String name) {
    this.out = out;
    this.name = name;
    Thread reader = new Thread(() -> read(in), "dap-client-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  private void read(InputStream in) {
    BaseProtocol.Reader reader = new BaseProtocol.Reader(in, 64 << 20);
    try {
      byte[] body;
      while ((body = reader.read()) != null) {
        receive(JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject());
      }
    } catch (IOException | RuntimeException e) {
      note("<< ended: " + e);
    } finally {
      ended.complete(null);
      pending.values().forEach(f -> f.completeExceptionally(new AssertionError(name + ": stream ended; " + transcriptTail())));
    }
  }

  private void receive(JsonObject message) {
    note("<< " + message);
    long messageSeq = message.get("seq").getAsLong();
    synchronized (this) {
      if (!seqsSeen.add(messageSeq)) {
        violations.add("seq " + messageSeq + " seen twice: " + message);
      }
    }
    String type = message.get("type").getAsString();
    if (type.equals("response")) {
      long requestSeq = message.get("request_seq").getAsLong();
      String command = sentCommands.remove(requestSeq);
      if (command == null || !command.equals(message.get("command").getAsString())) {
        synchronized (this) {
          violations.add("response to request_seq " + requestSeq + " (" + command + ") says " + message.get("command"));
        }
      }
      CompletableFuture<JsonObject> future = pending.remove(requestSeq);
      if (future != null) {
        future.complete(message);
      }
    } else if (type.equals("event")) {
      synchronized (events) {
        events.add(message);
        events.notifyAll();
      }
    }
  }

  /** Sends a request; the future completes with the whole response. */
  CompletableFuture<JsonObject> send(String command, JsonObject arguments) {
    CompletableFuture<JsonObject> future = new CompletableFuture<>();
    JsonObject message = new JsonObject();
    synchronized (this) {
      long mine = ++seq;
      message.addProperty("seq", mine);
      message.addProperty("type", "request");
      message.addProperty("command", command);
      if (arguments != null) {
        message.add("arguments", arguments);
      }
      pending.put(mine, future);
      sentCommands.put(mine, command);
      write(message);
    }
    return future;
  }

  /** Sends a request and returns its successful response's body (an empty object when it has none). */
  JsonObject call(String command, JsonObject arguments) {
    JsonObject response = await(send(command, arguments), command);
    if (!response.get("success").getAsBoolean()) {
      throw new AssertionError(name + ": " + command + " failed: " + response + "; " + transcriptTail());
    }
    return response.has("body") && response.get("body").isJsonObject() ? response.getAsJsonObject("body") : new JsonObject();
  }

  JsonObject await(CompletableFuture<JsonObject> future, String what) {
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(name + ": no response to " + what + " within " + WAIT.toSeconds() + " s: " + e
          + "; " + transcriptTail(), e);
    }
  }

  private void write(JsonObject message) {
    note(">> " + message);
    try {
      BaseProtocol.write(out, message.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(name + ": cannot write to the adapter: " + e.getMessage() + "; " + transcriptTail(), e);
    }
  }

  /** The first event named {@code event} matching {@code test} (already arrived or arriving within the wait). */
  JsonObject awaitEvent(String event, Predicate<JsonObject> test) {
    return awaitEvent(event, test, WAIT);
  }

  JsonObject awaitEvent(String event, Predicate<JsonObject> test, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (events) {
      while (true) {
        for (JsonObject e : events) {
          if (e.get("event").getAsString().equals(event) && test.test(body(e))) {
            return e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(name + ": no '" + event + "' event within " + wait.toSeconds() + " s; " + transcriptTail());
        }
        try {
          events.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  /** The next {@code stopped} event after the {@code count} ones already seen. */
  JsonObject awaitStop(int count) {
    int[] seen = {0};
    return awaitEvent("stopped", b -> ++seen[0] > count);
  }

  int count(String event) {
    synchronized (events) {
      return (int) events.stream().filter(e -> e.get("event").getAsString().equals(event)).count();
    }
  }

  /** Everything the events named {@code event} carried in {@code body.output}, concatenated. */
  String output(String category) {
    StringBuilder text = new StringBuilder();
    synchronized (events) {
      for (JsonObject e : events) {
        if (e.get("event").getAsString().equals("output") && category.equals(string(body(e), "category"))) {
          text.append(string(body(e), "output"));
        }
      }
    }
    return text.toString();
  }

  static JsonObject body(JsonObject message) {
    JsonElement body = message.get("body");
    return body != null && body.isJsonObject() ? body.getAsJsonObject() : new JsonObject();
  }

  static String string(JsonObject object, String member) {
    JsonElement value = object.get(member);
    return value == null || value.isJsonNull() ? null : value.getAsString();
  }

  /** Waits for the adapter side to close the stream. */
  boolean awaitEnd(Duration wait) {
    try {
      ended.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  private void note(String line) {
    synchronized (transcript) {
      transcript.add(line.length() > 600 ? line.substring(0, 600) + "..." : line);
    }
  }

  String transcriptTail() {
    synchronized (transcript) {
      return name + " transcript (last 30): " + String.join("\n", transcript.subList(Math.max(0, transcript.size() - 30), transcript.size()));
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException ignored) {
      // the process is gone already
    }
  }
}
