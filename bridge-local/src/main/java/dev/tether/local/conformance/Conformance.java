package dev.tether.local.conformance;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The catalogue of checks and the runner: one line per check as it finishes, the closing count, and
 * optionally a JUnit XML report. Checks run one after another, each on sessions of its own.
 */
public final class Conformance {
  public enum Outcome { PASS, FAIL, SKIP }

  public record Result(Check check, Outcome outcome, String reason, double seconds) {
    public String line() {
      return switch (outcome) {
        case PASS -> "PASS " + check.id() + " " + check.title();
        case FAIL -> "FAIL " + check.id() + " " + check.title() + ": " + reason;
        case SKIP -> "SKIP " + check.id() + " " + check.title() + ": " + reason;
      };
    }
  }

  private Conformance() {}

  /** Every check, in the order they run. */
  public static List<Check> catalogue() {
    List<Check> all = new ArrayList<>(ProtocolChecks.all());
    all.addAll(ServiceChecks.all());
    all.addAll(LspChecks.all());
    all.addAll(DapChecks.all());
    return List.copyOf(all);
  }

  /** The checks of {@code groups} (all when empty); an unknown group is an error naming the known ones. */
  public static List<Check> select(Collection<String> groups) {
    List<Check> all = catalogue();
    List<String> known = all.stream().map(Check::group).distinct().toList();
    for (String group : groups) {
      if (!known.contains(group)) {
        throw new IllegalArgumentException("unknown check group '" + group + "'; groups: " + String.join(", ", known));
      }
    }
    return groups.isEmpty() ? all : all.stream().filter(c -> groups.contains(c.group())).toList();
  }

  public static List<Result> run(List<Check> checks, Target target, PrintWriter out) {
    List<Result> results = new ArrayList<>();
    for (Check check : checks) {
      Result result = run(check, target);
      results.add(result);
      out.println(result.line());
      out.flush();
    }
    out.println(summary(results));
    out.flush();
    return results;
  }

  static Result run(Check check, Target target) {
    long started = System.nanoTime();
    Outcome outcome = Outcome.PASS;
    String reason = "";
    try {
      check.body().run(target);
    } catch (Check.NotApplicable e) {
      outcome = Outcome.SKIP;
      reason = e.getMessage();
    } catch (Check.Failure e) {
      outcome = Outcome.FAIL;
      reason = e.getMessage();
    } catch (Exception e) {
      outcome = Outcome.FAIL;
      reason = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    return new Result(check, outcome, reason, (System.nanoTime() - started) / 1e9);
  }

  public static String summary(List<Result> results) {
    long passed = count(results, Outcome.PASS);
    long skipped = count(results, Outcome.SKIP);
    return passed + " passed, " + count(results, Outcome.FAIL) + " failed"
        + (skipped > 0 ? ", " + skipped + " not applicable" : "");
  }

  public static long count(List<Result> results, Outcome outcome) {
    return results.stream().filter(r -> r.outcome() == outcome).count();
  }

  /** A JUnit XML report (the de-facto schema CI servers read): one testcase per check, class = group. */
  public static void writeJUnitXml(Path file, String target, List<Result> results) throws IOException {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    double total = results.stream().mapToDouble(Result::seconds).sum();
    xml.append(String.format(Locale.ROOT, "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" errors=\"0\" time=\"%.3f\">%n",
        escape("tether conformance " + target), results.size(), count(results, Outcome.FAIL),
        count(results, Outcome.SKIP), total));
    for (Result r : results) {
      xml.append(String.format(Locale.ROOT, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">",
          escape(r.check().group()), escape(r.check().id()), r.seconds()));
      if (r.outcome() == Outcome.FAIL) {
        xml.append("<failure message=\"").append(escape(r.reason())).append("\">")
            .append(escape(r.check().title() + " (" + r.check().section() + ")")).append("</failure>");
      } else if (r.outcome() == Outcome.SKIP) {
        xml.append("<skipped message=\"").append(escape(r.reason())).append("\"/>");
      }
      xml.append("</testcase>\n");
    }
    xml.append("</testsuite>\n");
    Files.writeString(file, xml, StandardCharsets.UTF_8);
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
      }
    }
    return out.toString();
  }
}
