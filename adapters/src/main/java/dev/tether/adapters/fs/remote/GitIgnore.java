package dev.tether.adapters.fs.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of one {@code .gitignore} file (gitignore(5)): blank lines and {@code #} comments skipped,
 * {@code !} negates, a trailing {@code /} matches directories only, a pattern with a {@code /} elsewhere
 * is anchored to the file's directory, otherwise it matches a name at any depth; {@code *}, {@code ?},
 * {@code [...]} and {@code **} as git has them. Written here rather than taking JGit (about 3 MB with
 * its dependencies, four times the agent it would ride in); see docs/FS.md.
 */
final class GitIgnore {
  /** One rule; {@code pattern} matches a path relative to the .gitignore's directory. */
  record Rule(Pattern pattern, boolean negated, boolean directoryOnly) {}

  private final Path base;
  private final List<Rule> rules;

  GitIgnore(Path base, List<Rule> rules) {
    this.base = base;
    this.rules = rules;
  }

  /** The rules of {@code file} (a .gitignore or .git/info/exclude) applying below {@code base}; null if none. */
  static GitIgnore load(Path base, Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      List<Rule> rules = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Rule rule = parse(line);
        if (rule != null) {
          rules.add(rule);
        }
      }
      return rules.isEmpty() ? null : new GitIgnore(base, rules);
    } catch (IOException | java.io.UncheckedIOException e) {
      return null; // an unreadable .gitignore ignores nothing, as git does
    }
  }

  static Rule parse(String line) {
    String text = stripTrailingSpaces(line);
    if (text.isEmpty() || text.startsWith("#")) {
      return null;
    }
    boolean negated = text.startsWith("!");
    if (negated) {
      text = text.substring(1);
    } else if (text.startsWith("\\!") || text.startsWith("\\#")) {
      text = text.substring(1);
    }
    boolean directoryOnly = text.endsWith("/");
    if (directoryOnly) {
      text = text.substring(0, text.length() - 1);
    }
    boolean anchored = text.contains("/");
    if (text.startsWith("/")) {
      text = text.substring(1);
    }
    if (text.isEmpty()) {
      return null;
    }
    String regex = (anchored ? "" : "(?:.*/)?") + toRegex(text);
    return new Rule(Pattern.compile(regex), negated, directoryOnly);
  }

  private static String stripTrailingSpaces(String line) {
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == ' ' && !(end > 1 && line.charAt(end - 2) == '\\')) {
      end--;
    }
    return line.substring(0, end);
  }

  private static String toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && glob.startsWith("**/", i)) {
        regex.append("(?:.*/)?");
        i += 2;
      } else if (c == '*' && glob.startsWith("**", i) && i + 2 == glob.length()) {
        regex.append(".*");
        i += 1;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else if (c == '[') {
        int close = glob.indexOf(']', i + 2);
        if (close < 0) {
          regex.append("\\[");
        } else {
          String set = glob.substring(i + 1, close);
          regex.append('[').append(set.startsWith("!") ? "^" + set.substring(1) : set).append(']');
          i = close;
        }
      } else if (c == '\\' && i + 1 < glob.length()) {
        regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return regex.toString();
  }

  /** TRUE ignored, FALSE re-included by a negation, null when no rule here speaks of the path. */
  Boolean decide(Path path, boolean directory) {
    if (!path.startsWith(base)) {
      return null;
    }
    String relative = base.relativize(path).toString();
    Boolean decision = null;
    for (Rule rule : rules) {
      if (rule.directoryOnly() && !directory) {
        continue;
      }
      if (rule.pattern().matcher(relative).matches()) {
        decision = !rule.negated();
      }
    }
    return decision;
  }

  /** Whether the stack of .gitignore files (outermost first) ignores {@code path}; the deepest rule wins. */
  static boolean ignored(List<GitIgnore> stack, Path path, boolean directory) {
    for (int i = stack.size() - 1; i >= 0; i--) {
      Boolean decision = stack.get(i).decide(path, directory);
      if (decision != null) {
        return decision;
      }
    }
    return false;
  }
}
