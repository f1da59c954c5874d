package dev.tether.local.demo;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The demo's output: a few {@code name value} facts, then one line per step with its elapsed time.
 * Paths inside the demo's temp directory are shown as {@code $D/...} to keep lines readable.
 */
final class Report {
  private static final String STEP = "  %-20s %6s  %s";

  private final PrintWriter out;
  private String root;

  Report(PrintWriter out) {
    this.out = out;
  }

  /** From now on, show {@code dir} as {@code $D}. */
  void abbreviate(Path dir) {
    fact("dir", "$D = " + dir + " (everything the demo creates; removed at the end)");
    root = dir.toString();
  }

  void title(String text) {
    out.println(text);
    out.println();
  }

  void fact(String name, String value) {
    out.println(String.format("  %-8s %s", name, shorten(value)).stripTrailing());
  }

  void step(String name, long startNanos, String result) {
    out.println(String.format(STEP, name, seconds(System.nanoTime() - startNanos), shorten(result)).stripTrailing());
  }

  /** A line under a step, with the time it happened at (or none). */
  void detail(Long atNanos, String text) {
    out.println(String.format(STEP, "", atNanos == null ? "" : seconds(atNanos), shorten(text)).stripTrailing());
  }

  PrintWriter out() {
    return out;
  }

  void blank() {
    out.println();
  }

  void line(String text) {
    out.println(text);
  }

  private String shorten(String text) {
    return root == null ? text : text.replace(root, "$D");
  }

  private static String seconds(long nanos) {
    return String.format("%.2fs", nanos / 1e9);
  }
}
