package dev.tether.bench.lsp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The editor's end of one LSP connection to a process (the ping server itself, {@code ssh host server}
 * or {@code tether lsp}): sends a request and reads until its answer, on the calling thread. Only the
 * benchmark's own requests are in flight, one at a time, so no reader thread is needed; a notification
 * the bridge may send (say {@code window/showMessage}) is skipped.
 */
final class LspPipe implements AutoCloseable {
  static final String INITIALIZE_PARAMS = "{\"processId\":null,\"rootUri\":null,\"capabilities\":{}}";
  static final String PING_REQUEST_PARAMS = "{}";

  private final String name;
  private final Process process;
  private final InputStream in;
  private final OutputStream out;
  private int nextId = 1;

  LspPipe(String name, Process process) {
    this.name = name;
    this.process = process;
    this.in = new BufferedInputStream(process.getInputStream(), 64 * 1024);
    this.out = new BufferedOutputStream(process.getOutputStream(), 64 * 1024);
  }

  String name() {
    return name;
  }

  Process process() {
    return process;
  }

  /** Sends {@code initialize}; returns when it is answered. */
  void initialize() throws IOException {
    call("initialize", INITIALIZE_PARAMS);
  }

  /** One tiny request, timed from before the write to after the answer is read; nanoseconds. */
  long ping() throws IOException {
    long start = System.nanoTime();
    call(PingServer.PING, PING_REQUEST_PARAMS);
    return System.nanoTime() - start;
  }

  /**
   * Sends {@code count} {@link PingServer#ECHO} requests with {@code params} from a writer thread while
   * this thread reads their answers; returns the message bytes that crossed, both ways (bodies only).
   */
  long echoes(String params, int count) throws IOException {
    int first = nextId;
    nextId += count;
    IOException[] failure = new IOException[1];
    long[] sent = new long[1];
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < count; i++) {
          String request = "{\"jsonrpc\":\"2.0\",\"id\":" + (first + i) + ",\"method\":\"" + PingServer.ECHO
              + "\",\"params\":" + params + "}";
          Frames.write(out, request);
          sent[0] += request.length(); // ASCII: characters are bytes
        }
        out.flush();
      } catch (IOException e) {
        failure[0] = e;
      }
    }, "echo-writer");
    writer.setDaemon(true);
    writer.start();
    long bytes = 0;
    for (int answered = 0; answered < count; ) {
      byte[] body = Frames.read(in);
      if (body == null) {
        throw new IOException(name + " closed its output after " + answered + " of " + count + " echoes"
            + (failure[0] == null ? "" : "; writing failed: " + failure[0].getMessage()));
      }
      if (body.length > params.length()) { // an echo's answer, not a notification the bridge sent
        bytes += body.length;
        answered++;
      }
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return bytes + sent[0];
  }

  /** Sends a request and returns the answer's body. */
  String call(String method, String params) throws IOException {
    String id = Integer.toString(nextId++);
    Frames.write(out, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
    out.flush();
    while (true) {
      byte[] body = Frames.read(in);
      if (body == null) {
        throw new IOException(name + " closed its output before answering " + method);
      }
      String message = new String(body, StandardCharsets.UTF_8);
      if (Frames.method(message) == null && id.equals(Frames.id(message))) {
        if (message.contains("\"error\"")) {
          throw new IOException(name + " answered " + method + " with an error: " + message);
        }
        return message;
      }
    }
  }

  /**
   * Ends the connection the way an editor does ({@code shutdown}, {@code exit}, end of input) and waits
   * for the process to go; returns true if it exited by itself within {@code timeout}.
   */
  boolean shutdown(Duration timeout) {
    try {
      call("shutdown", "null");
      Frames.write(out, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
      out.flush();
      out.close();
    } catch (IOException e) {
      // the process is going or gone: waiting below tells
    }
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    ProcessTable.endTree(process.toHandle());
  }
}
