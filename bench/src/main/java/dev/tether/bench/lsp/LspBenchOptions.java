package dev.tether.bench.lsp;

/** Command-line flags of {@link LspBench}. */
record LspBenchOptions(int warmup, int samples, int rounds, int starts, int idleSeconds, boolean quick) {
  static final String USAGE = String.join("\n",
      "usage: bench/run-lsp-bench.sh [--quick] [--samples=N] [--warmup=N] [--rounds=N] [--starts=N] [--idle-seconds=N]",
      "  --samples=N       round trips timed per path, pooled over the rounds (default 6000; --quick 1500)",
      "  --warmup=N        untimed round trips per path first (default 2000; --quick 500)",
      "  --rounds=N        blocks of samples per path, the paths' order rotating (default 3)",
      "  --starts=N        repetitions of every start figure; the median is reported (default 7; --quick 3)",
      "  --idle-seconds=N  wait before reading the daemon's and agent's idle RSS (default 5)",
      "");

  /** The options, or null after printing the usage for {@code --help}. */
  static LspBenchOptions parse(String[] args) {
    boolean quick = false;
    for (String arg : args) {
      quick |= arg.equals("--quick");
    }
    int warmup = quick ? 500 : 2000;
    int samples = quick ? 1500 : 6000;
    int rounds = 3;
    int starts = quick ? 3 : 7;
    int idle = 5;
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.print(USAGE);
        return null;
      }
      if (arg.equals("--quick")) {
        continue;
      }
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("unknown argument '" + arg + "'\n" + USAGE);
      }
      String name = arg.substring(2, eq);
      int value;
      try {
        value = Integer.parseInt(arg.substring(eq + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " needs a whole number, got '" + arg.substring(eq + 1) + "'");
      }
      if (value < 1 && !name.equals("idle-seconds")) {
        throw new IllegalArgumentException("--" + name + " must be at least 1");
      }
      switch (name) {
        case "samples" -> samples = value;
        case "warmup" -> warmup = value;
        case "rounds" -> rounds = value;
        case "starts" -> starts = value;
        case "idle-seconds" -> idle = value;
        default -> throw new IllegalArgumentException("unknown flag --" + name + "\n" + USAGE);
      }
    }
    return new LspBenchOptions(warmup, samples, rounds, starts, idle, quick);
  }
}
