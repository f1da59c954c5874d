package dev.tether.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link MuxBench} measures and how much of it: sizes, sample counts, transports, runs. Parsed from
 * {@code --name=value} flags; sizes take a k/m/g suffix (binary: 1g = 1 GiB).
 */
record BenchOptions(
    long memoryBulkBytes,
    long tcpBulkBytes,
    int channels,
    int messageSize,
    int warmupSamples,
    int samples,
    int rounds,
    Duration latencyTimeLimit,
    int frameSize,
    int window,
    int memoryPipeBytes,
    int tcpBufferBytes,
    long loadRate,
    Set<String> transports,
    boolean direct,
    Set<String> runs) {

  static final String MEMORY = "memory";
  static final String TCP = "tcp";
  static final List<String> ALL_TRANSPORTS = List.of(MEMORY, TCP);
  static final String BULK = "bulk";
  static final String CHANNELS = "channels";
  static final String IDLE = "idle";
  static final String LOADED = "loaded";
  static final List<String> ALL_RUNS = List.of(BULK, CHANNELS, IDLE, LOADED);

  static final String USAGE = """
      usage: run-mux-bench.sh [--quick] [--flag=value ...]
        --quick                 small sizes and sample counts (about 25 s in all)
        --memory-bulk=SIZE      bytes per bulk run over the in-memory transport (default 2g, quick 256m)
        --tcp-bulk=SIZE         bytes per bulk run over loopback TCP (default 1g, quick 256m)
        --channels=N            channels in the aggregate run (default 64)
        --message-size=N        round-trip message body in bytes (default 100)
        --warmup=N              round trips discarded before sampling (default 5000, quick 2000)
        --samples=N             round trips sampled per run (default 20000, quick 5000)
        --rounds=N              split each round-trip run into N rounds, each on a fresh connection and
                                session, and pool the samples (default 3, quick 2)
        --latency-seconds=N     stop sampling a round-trip run after this long (default 12, quick 4)
        --frame-size=SIZE       session max frame size (default: the library's, 32k)
        --window=SIZE           per-channel receive window (default: the library's, 1m)
        --memory-pipe=SIZE      in-memory transport buffer per direction (default: the transport's, 256k)
        --tcp-buffer=SIZE       SO_SNDBUF and SO_RCVBUF of every loopback socket (default: the kernel's,
                                autotuned)
        --load-rate=SIZE        pace the bulk load under round trips to SIZE bytes/s (default 0: full speed)
        --transports=LIST       transports to measure over, in this order, of memory,tcp (default both)
        --skip-direct           leave out the direct baselines (the same runs with no mux)
        --runs=LIST             runs on each, of bulk,channels,idle,loaded (default all)
      """;

  static BenchOptions parse(String[] args) {
    boolean quick = List.of(args).contains("--quick");
    long memoryBulk = quick ? 256L << 20 : 2L << 30;
    long tcpBulk = quick ? 256L << 20 : 1L << 30;
    int channels = 64;
    int messageSize = 100;
    int warmup = quick ? 2000 : 5000;
    int samples = quick ? 5000 : 20000;
    int rounds = quick ? 2 : 3;
    long latencySeconds = quick ? 4 : 12;
    int frameSize = 0;
    int window = 0;
    int memoryPipe = 0;
    int tcpBuffer = 0;
    long loadRate = 0;
    Set<String> transports = new LinkedHashSet<>(ALL_TRANSPORTS);
    boolean direct = true;
    Set<String> runs = new LinkedHashSet<>(ALL_RUNS);
    for (String arg : args) {
      if (arg.equals("--quick")) {
        continue;
      }
      if (arg.equals("--skip-direct")) {
        direct = false;
        continue;
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new UsageException("");
      }
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new UsageException("unknown argument '" + arg + "'");
      }
      String name = arg.substring(2, eq);
      String value = arg.substring(eq + 1);
      switch (name) {
        case "memory-bulk" -> memoryBulk = size(name, value);
        case "tcp-bulk" -> tcpBulk = size(name, value);
        case "channels" -> channels = (int) size(name, value);
        case "message-size" -> messageSize = (int) size(name, value);
        case "warmup" -> warmup = (int) size(name, value);
        case "samples" -> samples = (int) size(name, value);
        case "rounds" -> rounds = (int) size(name, value);
        case "latency-seconds" -> latencySeconds = size(name, value);
        case "frame-size" -> frameSize = (int) size(name, value);
        case "window" -> window = (int) size(name, value);
        case "memory-pipe" -> memoryPipe = (int) size(name, value);
        case "tcp-buffer" -> tcpBuffer = (int) size(name, value);
        case "load-rate" -> loadRate = size(name, value);
        case "transports" -> transports = subset(name, value, ALL_TRANSPORTS);
        case "runs" -> runs = subset(name, value, ALL_RUNS);
        default -> throw new UsageException("unknown flag --" + name);
      }
    }
    if (channels < 1 || samples < 1 || messageSize < 1 || rounds < 1 || rounds > samples) {
      throw new UsageException("--channels, --samples, --rounds and --message-size must be at least 1, "
          + "and --rounds at most --samples");
    }
    return new BenchOptions(memoryBulk, tcpBulk, channels, messageSize, warmup, samples, rounds,
        Duration.ofSeconds(latencySeconds), frameSize, window, memoryPipe, tcpBuffer, loadRate, transports, direct,
        runs);
  }

  private static long size(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    int shift = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      default -> 0;
    };
    try {
      long number = Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1));
      if (number < 0) {
        throw new NumberFormatException();
      }
      return number << shift;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " wants a non-negative number (k/m/g allowed), not '" + value + "'");
    }
  }

  private static Set<String> subset(String name, String list, List<String> all) {
    Set<String> chosen = new LinkedHashSet<>();
    for (String item : list.split(",")) {
      if (!all.contains(item.trim())) {
        throw new UsageException("--" + name + " takes " + String.join(",", all) + ", not '" + item + "'");
      }
      chosen.add(item.trim());
    }
    return chosen;
  }

  /** The transports to measure over, in the order given. */
  List<Wire> wires() {
    return transports.stream()
        .map(t -> Arrays.stream(Wire.values()).filter(w -> w.option.equals(t)).findFirst().orElseThrow())
        .toList();
  }

  boolean runs(String run) {
    return runs.contains(run);
  }

  /** A bad command line; the message says what was wrong. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
