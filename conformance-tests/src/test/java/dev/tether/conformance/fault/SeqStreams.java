package dev.tether.conformance.fault;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.conformance.lsp.LspEditor;
import dev.tether.conformance.lsp.TetherCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sequence-numbered traffic through a session, checked at both ends: each stream sends 0, 1, 2, … and
 * the far end (a program on the host) writes what it received to a file and echoes it back, so a
 * test checks that the host got every number once and in order, and so did the local side.
 *
 * <p>Threading: each stream pumps on threads of its own; {@link #progress} and {@link #finish} from
 * the test thread.
 */
final class SeqStreams {
  /** An LSP-framed echo server for the host: records each {@code seq} notification's number, echoes it. */
  static final String ECHO_LSP = """
      import json, sys
      record = open(sys.argv[1], "w", buffering=1)
      inp, out = sys.stdin.buffer, sys.stdout.buffer
      while True:
          length = None
          while True:
              line = inp.readline()
              if not line:
                  sys.exit(0)
              line = line.strip()
              if not line:
                  break
              name, value = line.split(b":", 1)
              if name.strip().lower() == b"content-length":
                  length = int(value)
          body = inp.read(length)
          message = json.loads(body)
          if message.get("method") == "exit":
              sys.exit(0)
          if "id" in message:
              body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": None}).encode()
          elif message.get("method") == "seq":
              record.write("%d\\n" % message["params"]["n"])
          out.write(b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body)
          out.flush()
      """;

  /**
   * The terminal's far end: puts its PTY in raw mode first (no echo, no line editing, no output
   * processing: what the test writes is what the program reads, and what it writes is what comes
   * back), then says "ready", then records and echoes each line until "end".
   */
  static final String TERMINAL_ECHO = """
      import os, sys, tty
      tty.setraw(0)
      record = open(sys.argv[1], "w", buffering=1)
      def put(data):
          while data:
              data = data[os.write(1, data):]
      put(b"ready\\n")
      pending = b""
      while True:
          chunk = os.read(0, 65536)
          if not chunk:
              sys.exit(3)
          pending += chunk
          *lines, pending = pending.split(b"\\n")
          for line in lines:
              if line == b"end":
                  sys.exit(0)
              record.write(line.decode("ascii") + "\\n")
              put(line + b"\\n")
      """;

  private SeqStreams() {
  }

  /** Writes the host-side programs into {@code dir}; returns the LSP echo server's path. */
  static Path writeEchoServer(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("terminal_echo.py"), TERMINAL_ECHO);
      return Files.writeString(dir.resolve("echo_lsp.py"), ECHO_LSP);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One stream: how far it got, and the first thing that went wrong. */
  abstract static class Stream {
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger echoed = new AtomicInteger();
    final AtomicReference<String> failure = new AtomicReference<>();
    volatile boolean stop;
    final String name;
    final Path record;

    Stream(String name, Path record) {
      this.name = name;
      this.record = record;
    }

    void fail(String what) {
      failure.compareAndSet(null, name + ": " + what);
    }

    /** Stops sending, waits for the echoes of everything sent, and checks the host's record. */
    abstract void finish(Duration within) throws Exception;

    void checkRecord(Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      List<String> lines = lines(record);
      while (lines.size() < sent.get() && System.nanoTime() < deadline) {
        Thread.sleep(50); // polls the host's record file, bounded by the deadline
        lines = lines(record);
      }
      checkSequence(name + " as the host received it", lines, sent.get());
    }

    String status() {
      return name + " sent " + sent.get() + ", echoed " + echoed.get() + (failure.get() == null ? "" : ", " + failure.get());
    }
  }

  static void checkSequence(String what, List<String> lines, int count) {
    for (int i = 0; i < Math.min(lines.size(), count); i++) {
      if (!lines.get(i).equals(Integer.toString(i))) {
        throw new AssertionError(what + ": line " + i + " is '" + lines.get(i) + "' (lost, duplicated or reordered); "
            + "around it: " + lines.subList(Math.max(0, i - 3), Math.min(lines.size(), i + 3)));
      }
    }
    if (lines.size() != count) {
      throw new AssertionError(what + ": " + lines.size() + " numbers, " + count + " sent");
    }
  }

  static List<String> lines(Path file) {
    try {
      if (!Files.exists(file)) {
        return List.of();
      }
      String text = Files.readString(file);
      List<String> lines = new ArrayList<>(text.lines().toList());
      if (!text.isEmpty() && !text.endsWith("\n")) {
        lines.remove(lines.size() - 1); // a line being written
      }
      return lines;
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * LSP: the editor sends {@code seq} notifications through {@code tether lsp} to the echo server and
   * checks the echoes arrive 0, 1, 2, … with no gap or repeat; at most {@code window} in flight.
   */
  static final class LspStream extends Stream {
    private final LspEditor editor;
    private final List<Integer> echoes = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> shown = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread sender;

    LspStream(TetherCli.LspProcess cli, Path record) {
      super("lsp", record);
      this.editor = cli.editor();
      sender = new Thread(this::send, "seq lsp");
      sender.setDaemon(true);
      sender.start();
    }

    private void send() {
      try {
        while (!stop) {
          int inFlight = sent.get() - countEchoes();
          if (inFlight >= 64) {
            Thread.sleep(5); // the echo server is behind: wait for it (bounded by the test's deadlines)
            continue;
          }
          JsonObject params = new JsonObject();
          params.addProperty("n", sent.get());
          editor.notify("seq", params);
          sent.incrementAndGet();
          Thread.sleep(2); // steady traffic (~500 messages/s), not a flood the editor's transcript must hold
        }
      } catch (AssertionError | InterruptedException e) {
        fail("sending stopped: " + e.getMessage());
      }
    }

    synchronized int countEchoes() {
      List<String> transcript = editor.transcript();
      for (int i = echoes.size(); i < transcript.size(); i++) {
        JsonObject m = JsonParser.parseString(transcript.get(i)).getAsJsonObject();
        if (m.has("method") && "seq".equals(m.get("method").getAsString())) {
          int n = m.getAsJsonObject("params").get("n").getAsInt();
          echoes.add(n);
        } else {
          echoes.add(-1); // a showMessage or the like: not part of the sequence
          if (m.has("method") && "window/showMessage".equals(m.get("method").getAsString())) {
            shown.add(m.getAsJsonObject("params").get("message").getAsString());
          }
        }
      }
      int count = (int) echoes.stream().filter(n -> n >= 0).count();
      echoed.set(count);
      return count;
    }

    @Override
    void finish(Duration within) throws Exception {
      stop = true;
      // The sender may be between a notify and its count: only once it has stopped is sent final.
      sender.join(within.toMillis());
      if (sender.isAlive()) {
        throw new AssertionError("lsp: the sender did not stop within " + within.toSeconds() + " s; " + status());
      }
      long deadline = System.nanoTime() + within.toNanos();
      while (countEchoes() < sent.get() && System.nanoTime() < deadline && failure.get() == null) {
        Thread.sleep(20); // polls the editor's transcript, bounded by the deadline
      }
      List<String> seen = echoes.stream().filter(n -> n >= 0).map(String::valueOf).toList();
      checkSequence("lsp echoes as the editor received them", seen, sent.get());
      checkRecord(within);
    }
  }

  /**
   * A byte stream ({@code tether exec}) running {@code tee RECORD} on the host:
   * numbered lines go to its stdin and come back on its stdout.
   */
  static final class LineStream extends Stream {
    private final Process process;
    private final List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();

    LineStream(String name, Process process, Path record) {
      super(name, record);
      this.process = process;
      Thread writer = new Thread(this::send, "seq " + name + " out");
      writer.setDaemon(true);
      writer.start();
      Thread reader = new Thread(this::receive, "seq " + name + " in");
      reader.setDaemon(true);
      reader.start();
      Thread errors = new Thread(() -> {
        try {
          process.getErrorStream().transferTo(OutputStream.nullOutputStream()); // "connection lost" notices
        } catch (IOException ignored) {
          // ended
        }
      }, "seq " + name + " err");
      errors.setDaemon(true);
      errors.start();
    }

    private void send() {
      OutputStream out = process.getOutputStream();
      try {
        while (!stop) {
          if (sent.get() - received.size() >= 256) {
            Thread.sleep(5); // the far end is behind: wait for it (bounded by the test's deadlines)
            continue;
          }
          out.write((sent.get() + "\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          sent.incrementAndGet();
          Thread.sleep(1); // steady traffic, not a flood
        }
        out.close();
      } catch (IOException | InterruptedException e) {
        fail("writing failed: " + e);
      }
    }

    private void receive() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
        String line;
        while ((line = in.readLine()) != null) {
          line = line.replace("\r", "");
          if (line.isEmpty()) {
            continue;
          }
          received.add(line);
          echoed.set(received.size());
        }
      } catch (IOException e) {
        fail("reading failed: " + e);
      }
    }

    @Override
    void finish(Duration within) throws Exception {
      stop = true;
      if (!process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " did not end after its input ended; " + status());
      }
      long deadline = System.nanoTime() + within.toNanos();
      while (received.size() < sent.get() && System.nanoTime() < deadline) {
        Thread.sleep(20); // the reader thread drains the last lines, bounded by the deadline
      }
      checkSequence(name + " echoes as the local side received them", List.copyOf(received), sent.get());
      checkRecord(within);
      if (process.exitValue() != 0) {
        throw new AssertionError(name + " exited " + process.exitValue());
      }
    }
  }

  /**
   * A terminal: {@code tether shell -- python3 terminal_echo.py RECORD} started under a local PTY
   * (pty4j, as a terminal emulator starts it; with a piped stdin {@code tether shell} runs its
   * command without a PTY), so the command runs in a PTY on the host. Both ends are raw once the far
   * end says "ready" ({@code tether shell} makes the local terminal raw before it creates the remote
   * one; the far end makes its PTY raw before it says so), and nothing is written before that: every
   * byte the terminal shows after "ready" must be exactly the lines sent, in order, each once.
   * Tether's own notices go to its stderr, which pty4j connects to the same PTY, as a terminal
   * emulator does: they share the screen with the far end's bytes, and are taken out by their form.
   */
  static final class TerminalStream extends Stream {
    private static final byte[] READY = "ready\n".getBytes(StandardCharsets.US_ASCII);
    private final Process process;
    private final java.io.ByteArrayOutputStream transcript = new java.io.ByteArrayOutputStream();
    private static final java.util.regex.Pattern NOTICE = java.util.regex.Pattern.compile("tether: ([^\r\n]*)\r\n");
    private volatile int readyAt = -1;
    private final Thread reader;
    /** The notices tether shell showed, in order (known once {@link #finish} returned). */
    final List<String> notices = new ArrayList<>();

    private TerminalStream(Process process, Path record) {
      super("terminal", record);
      this.process = process;
      daemonThread("seq terminal out", this::send);
      reader = daemonThread("seq terminal in", this::receive);
    }

    /** Starts {@code tether shell} for the host's {@code terminal_echo.py} (see {@link #writeEchoServer}). */
    static TerminalStream start(TetherCli tether, Path work, List<String> destination) throws IOException {
      List<String> args = new ArrayList<>(List.of("shell"));
      args.addAll(destination);
      args.addAll(List.of("--", "/usr/bin/python3", work.resolve("terminal_echo.py").toString(),
          work.resolve("terminal.record").toString()));
      ProcessBuilder builder = tether.processBuilder(args, work);
      java.util.Map<String, String> env = new java.util.HashMap<>(builder.environment());
      env.put("TERM", "xterm");
      Process process = new com.pty4j.PtyProcessBuilder(builder.command().toArray(new String[0]))
          .setEnvironment(env).setDirectory(work.toString()).setInitialColumns(200).setInitialRows(50).start();
      return new TerminalStream(process, work.resolve("terminal.record"));
    }

    private static Thread daemonThread(String name, Runnable body) {
      Thread thread = new Thread(body, name);
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    private void send() {
      OutputStream out = process.getOutputStream();
      try {
        while (readyAt < 0) {
          if (!process.isAlive() || failure.get() != null) {
            fail("ended before it was ready: " + shown());
            return;
          }
          Thread.sleep(5); // the far end makes its PTY raw, then says "ready" (bounded by the test's deadlines)
        }
        while (!stop) {
          if (sent.get() - echoed.get() >= 256) {
            Thread.sleep(5); // the far end is behind: wait for it (bounded by the test's deadlines)
            continue;
          }
          out.write((sent.get() + "\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          sent.incrementAndGet();
          Thread.sleep(1); // steady traffic, not a flood
        }
        out.write("end\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException | InterruptedException e) {
        fail("writing failed: " + e);
      }
    }

    private void receive() {
      byte[] buffer = new byte[8192];
      try {
        java.io.InputStream in = process.getInputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          synchronized (transcript) {
            transcript.write(buffer, 0, n);
            byte[] all = transcript.toByteArray();
            if (readyAt < 0) {
              readyAt = indexOf(all, READY);
            }
            if (readyAt >= 0) {
              int lines = 0;
              for (int i = readyAt + READY.length; i < all.length; i++) {
                lines += all[i] == '\n' ? 1 : 0;
              }
              echoed.set(lines);
            }
          }
        }
      } catch (IOException e) {
        // pty4j reports the PTY's end as an I/O error once the process exited
        if (process.isAlive()) {
          fail("reading failed: " + e);
        }
      }
    }

    private static int indexOf(byte[] all, byte[] part) {
      outer:
      for (int i = 0; i + part.length <= all.length; i++) {
        for (int j = 0; j < part.length; j++) {
          if (all[i + j] != part[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    /** What the terminal showed so far, control bytes escaped, for messages. */
    private String shown() {
      byte[] all;
      synchronized (transcript) {
        all = transcript.toByteArray();
      }
      String text = new String(all, StandardCharsets.US_ASCII);
      String tail = text.length() > 400 ? "…" + text.substring(text.length() - 400) : text;
      return "'" + tail.replace("\r", "\\r").replace("\n", "\\n") + "'";
    }

    @Override
    void finish(Duration within) throws Exception {
      stop = true;
      if (!process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " did not end after its 'end' line; " + status() + "; shown: " + shown());
      }
      reader.join(within.toMillis()); // it ends at the PTY's end, once it read the last bytes
      String all;
      synchronized (transcript) {
        all = transcript.toString(StandardCharsets.US_ASCII);
      }
      if (readyAt != 0) {
        throw new AssertionError(name + ": the terminal showed bytes before the far end's 'ready': " + shown());
      }
      // tether shell's own notices ("tether: connection … lost …; reconnecting") share the screen: each
      // one whole write ending its line with \r\n (the terminal is raw), wherever it fell among the far
      // end's bytes. Taken out, what remains must be the far end's bytes exactly.
      java.util.regex.Matcher notice = NOTICE.matcher(all.substring(READY.length));
      while (notice.find()) {
        notices.add(notice.group(1));
      }
      String after = notice.replaceAll("");
      // Byte for byte, not line by line: a stray carriage return, echo or repeated screen is a failure.
      List<String> lines = new ArrayList<>(List.of(after.split("\n", -1)));
      if (!lines.get(lines.size() - 1).isEmpty()) {
        throw new AssertionError(name + ": the terminal's output does not end with a whole line: " + shown());
      }
      lines.remove(lines.size() - 1);
      checkSequence(name + " bytes as the local terminal showed them", lines, sent.get());
      checkRecord(within);
      if (process.exitValue() != 0) {
        throw new AssertionError(name + ": tether shell exited " + process.exitValue() + "; shown: " + shown());
      }
    }

    /** Ends {@code tether shell} and what it started, by pid, should the test end early. */
    void end() {
      ProcessHandle.of(process.pid()).ifPresent(dev.tether.conformance.lsp.Processes::endTree);
    }
  }

  /**
   * Files: {@code tether fs put} of file {@code i} holding {@code i}, then {@code tether fs cat} of
   * it, one after the other, each checked; the host's files are checked at the end.
   */
  static final class FileStream extends Stream {
    private final TetherCli tether;
    private final List<String> destination;
    private final Path dir;

    FileStream(TetherCli tether, List<String> destination, Path dir) {
      super("fs", dir.resolve("none"));
      this.tether = tether;
      this.destination = destination;
      this.dir = dir;
      Thread thread = new Thread(this::loop, "seq fs");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      try {
        Files.createDirectories(dir);
        while (!stop) {
          int i = sent.get();
          Path file = dir.resolve("f" + i);
          Path input = dir.resolveSibling(dir.getFileName() + "-input-" + i);
          Files.writeString(input, "payload " + i + "\n");
          TetherCli.Result put = run(input.toFile(), "put", file.toString());
          sent.incrementAndGet();
          if (put.exit() != 0) {
            fail("put " + i + ": " + put);
            return;
          }
          TetherCli.Result cat = run(null, "cat", file.toString());
          if (cat.exit() != 0 || !cat.stdout().equals("payload " + i + "\n")) {
            fail("cat " + i + ": " + cat);
            return;
          }
          echoed.incrementAndGet();
        }
      } catch (IOException | RuntimeException | AssertionError e) {
        fail(e.toString());
      }
    }

    private TetherCli.Result run(java.io.File stdin, String... args) {
      List<String> command = new ArrayList<>(List.of("fs"));
      command.addAll(destination);
      command.addAll(List.of(args));
      ProcessBuilder builder = tether.processBuilder(command, dir)
          .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
              : ProcessBuilder.Redirect.from(stdin));
      try {
        Process process = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start(); // notices of the drops
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TetherCli.EXIT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("tether fs " + String.join(" ", args) + " did not end");
        }
        return new TetherCli.Result(process.exitValue(), out, "");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    @Override
    void finish(Duration within) throws Exception {
      stop = true;
      long deadline = System.nanoTime() + within.toNanos();
      while (echoed.get() < sent.get() && failure.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(20); // the last put/cat pair finishes, bounded by the deadline
      }
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
      for (int i = 0; i < sent.get(); i++) {
        String text = Files.readString(dir.resolve("f" + i));
        if (!text.equals("payload " + i + "\n")) {
          throw new AssertionError("fs: the host's f" + i + " holds '" + text + "'");
        }
      }
    }
  }
}
