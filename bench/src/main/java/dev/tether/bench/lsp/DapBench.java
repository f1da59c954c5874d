package dev.tether.bench.lsp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code tether dap} side by side with the same adapter (Debian's debugpy) run directly, in one run, on
 * the loopback sshd of {@link LoopbackHost}: time from starting the adapter command to the first
 * {@code stopped} at a breakpoint, and step latency ({@code next} sent to {@code stopped} received).
 * The tether figures are with a warm daemon (one session already opened, as an editor that also runs
 * {@code tether lsp} has). Markdown on stdout. Never fails on a timing.
 *
 * <pre>BENCH_MAIN=dev.tether.bench.lsp.DapBench bench/run-lsp-bench.sh [SESSIONS [STEPS]]</pre>
 */
public final class DapBench {
  private static final String PROGRAM = String.join("\n",
      "total = 0",
      "for i in range(100000):",
      "    total += i",
      "print(total)",
      "");

  private DapBench() {}

  public static void main(String[] args) throws Exception {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Path root = Path.of(System.getProperty("tether.root", ".")).toAbsolutePath().normalize();
    String load = LspReport.loadAverage();
    try (LoopbackHost host = new LoopbackHost(root)) {
      Path dir = host.tempFile("dap-bench");
      Files.createDirectories(dir);
      Path program = dir.resolve("loop.py");
      Files.writeString(program, PROGRAM);
      List<String> direct = List.of("/usr/bin/python3", "-m", "debugpy.adapter");
      List<String> tetherArgs = new ArrayList<>(List.of("dap"));
      tetherArgs.addAll(host.tetherConnectionArgs());
      tetherArgs.addAll(List.of("--map", dir + "=" + dir, "--adapter", "debugpy"));
      System.err.println("dap-bench: warming the daemon and the session");
      session(host.tetherCommand(LoopbackHost.LAUNCHER_FLAGS, tetherArgs.toArray(String[]::new)), program, 1);
      List<Double> directStart = new ArrayList<>();
      List<Double> tetherStart = new ArrayList<>();
      List<Double> directStep = new ArrayList<>();
      List<Double> tetherStep = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        System.err.println("dap-bench: session " + (i + 1) + "/" + sessions);
        Result d = session(new ProcessBuilder(direct).redirectError(ProcessBuilder.Redirect.DISCARD), program, steps);
        Result t = session(host.tetherCommand(LoopbackHost.LAUNCHER_FLAGS, tetherArgs.toArray(String[]::new)), program, steps);
        directStart.add(d.firstStopMillis);
        tetherStart.add(t.firstStopMillis);
        directStep.addAll(d.stepMillis);
        tetherStep.addAll(t.stepMillis);
      }
      report(load, sessions, steps, directStart, tetherStart, directStep, tetherStep);
    }
  }

  private record Result(double firstStopMillis, List<Double> stepMillis) {}

  /** One debug session: launch to the first stop, then {@code steps} times next to stopped. */
  private static Result session(ProcessBuilder command, Path program, int steps) throws Exception {
    long t0 = System.nanoTime();
    Process process = command.redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    try {
      Client client = new Client(process.getInputStream(), process.getOutputStream());
      client.request("initialize", obj("{'adapterID':'debugpy','pathFormat':'path','linesStartAt1':true}"));
      client.send("launch", obj("{'program':'" + program + "','cwd':'" + program.getParent()
          + "','console':'internalConsole','justMyCode':true}"));
      client.event(m -> "initialized".equals(str(m, "event")));
      client.request("setBreakpoints", obj("{'source':{'path':'" + program + "'},'breakpoints':[{'line':3}]}"));
      client.request("configurationDone", new JsonObject());
      JsonObject stopped = client.event(m -> "stopped".equals(str(m, "event")));
      double firstStop = (System.nanoTime() - t0) / 1e6;
      long thread = stopped.getAsJsonObject("body").get("threadId").getAsLong();
      client.request("setBreakpoints", obj("{'source':{'path':'" + program + "'},'breakpoints':[]}"));
      List<Double> latencies = new ArrayList<>();
      for (int i = 0; i < steps; i++) {
        long s0 = System.nanoTime();
        client.send("next", obj("{'threadId':" + thread + "}"));
        client.event(m -> "stopped".equals(str(m, "event")));
        latencies.add((System.nanoTime() - s0) / 1e6);
      }
      client.request("disconnect", obj("{'terminateDebuggee':true}"));
      process.getOutputStream().close();
      process.waitFor(15, TimeUnit.SECONDS);
      return new Result(firstStop, latencies);
    } finally {
      if (process.isAlive()) {
        ProcessTable.endTree(process.toHandle());
      }
    }
  }

  private static void report(String load, int sessions, int steps, List<Double> directStart, List<Double> tetherStart,
      List<Double> directStep, List<Double> tetherStep) {
    System.out.printf("DAP bench (debugpy %s sessions, %d steps each; load average before: %s)%n%n", sessions, steps, load);
    System.out.println("| measure | debugpy directly | tether dap (warm daemon, OpenSSH on 127.0.0.1) | ratio |");
    System.out.println("|---|---|---|---|");
    row("time to first stop, median (ms)", pct(directStart, 50), pct(tetherStart, 50));
    row("step latency next→stopped, p50 (ms)", pct(directStep, 50), pct(tetherStep, 50));
    row("step latency next→stopped, p99 (ms)", pct(directStep, 99), pct(tetherStep, 99));
    System.out.println();
    System.out.println("first stops (ms), direct: " + directStart + "; tether: " + tetherStart);
  }

  private static void row(String what, double direct, double tether) {
    System.out.printf("| %s | %.1f | %.1f | %.2f× |%n", what, direct, tether, tether / direct);
  }

  private static double pct(List<Double> values, int p) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private static JsonObject obj(String singleQuoted) {
    return JsonParser.parseString(singleQuoted.replace('\'', '"')).getAsJsonObject();
  }

  private static String str(JsonObject m, String member) {
    return m.has(member) ? m.get(member).getAsString() : null;
  }

  /** A blocking DAP client: requests by seq, events in arrival order. */
  private static final class Client {
    private final OutputStream out;
    private final BlockingQueue<JsonObject> incoming = new LinkedBlockingQueue<>();
    private int seq;

    Client(InputStream in, OutputStream out) {
      this.out = out;
      Thread reader = new Thread(() -> {
        BaseProtocol.Reader frames = new BaseProtocol.Reader(in, 64 << 20);
        try {
          byte[] body;
          while ((body = frames.read()) != null) {
            incoming.add(JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject());
          }
        } catch (IOException ignored) {
          // the adapter is gone
        }
      }, "dap-bench-reader");
      reader.setDaemon(true);
      reader.start();
    }

    int send(String command, JsonObject arguments) throws IOException {
      JsonObject message = new JsonObject();
      message.addProperty("seq", ++seq);
      message.addProperty("type", "request");
      message.addProperty("command", command);
      message.add("arguments", arguments);
      BaseProtocol.write(out, message.toString().getBytes(StandardCharsets.UTF_8));
      return seq;
    }

    JsonObject request(String command, JsonObject arguments) throws Exception {
      int mine = send(command, arguments);
      return event(m -> "response".equals(str(m, "type")) && m.get("request_seq").getAsInt() == mine);
    }

    private final List<JsonObject> backlog = new ArrayList<>();

    /** The first message matching {@code test}, from those not taken yet, then from those arriving. */
    JsonObject event(Predicate<JsonObject> test) throws Exception {
      for (int i = 0; i < backlog.size(); i++) {
        if (test.test(backlog.get(i))) {
          return backlog.remove(i);
        }
      }
      while (true) {
        JsonObject m = incoming.poll(60, TimeUnit.SECONDS);
        if (m == null) {
          throw new IOException("no answer within 60 s");
        }
        if (test.test(m)) {
          return m;
        }
        backlog.add(m);
      }
    }
  }
}
