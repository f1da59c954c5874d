package dev.tether.adapters.lsp.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * One path of {@code uri-table.json}: steps through a JSON value to where URIs are.
 *
 * <p>Syntax (see the table's {@code syntax} entry): {@code .name} descends into a property,
 * {@code []} into every array element, {@code {}} into every map value; the path then ends in nothing
 * (the value there is a URI), {@code {key}} (the keys of the object there are URIs) or {@code @Type}
 * (apply that type's paths there). Example: {@code .documentChanges[]@CreateFile}.
 */
public record UriPath(List<Step> steps, End end, String type) {

  /** A step into a JSON value. */
  public record Step(Kind kind, String name) {
    /** What a step descends into. */
    public enum Kind { PROPERTY, EACH_ELEMENT, EACH_VALUE }
  }

  /** What sits where the steps lead. */
  public enum End { URI_VALUE, URI_KEYS, TYPE }

  /** Parses one path; throws {@link IllegalArgumentException} on a malformed path. */
  public static UriPath parse(String text) {
    List<Step> steps = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("{key}", i) && i + 5 == text.length()) {
        return new UriPath(steps, End.URI_KEYS, null);
      }
      if (text.charAt(i) == '@') {
        return new UriPath(steps, End.TYPE, checkedName(text, i + 1, text.length()));
      }
      i = parseStep(text, i, steps);
    }
    return new UriPath(steps, End.URI_VALUE, null);
  }

  private static int parseStep(String text, int i, List<Step> steps) {
    if (text.startsWith("[]", i)) {
      steps.add(new Step(Step.Kind.EACH_ELEMENT, null));
      return i + 2;
    }
    if (text.startsWith("{}", i)) {
      steps.add(new Step(Step.Kind.EACH_VALUE, null));
      return i + 2;
    }
    if (text.charAt(i) == '.') {
      int end = i + 1;
      while (end < text.length() && isNameChar(text.charAt(end))) {
        end++;
      }
      steps.add(new Step(Step.Kind.PROPERTY, checkedName(text, i + 1, end)));
      return end;
    }
    throw new IllegalArgumentException("bad URI path '" + text + "' at " + i);
  }

  private static String checkedName(String text, int from, int to) {
    String name = text.substring(from, to);
    if (name.isEmpty() || !name.chars().allMatch(c -> isNameChar((char) c))) {
      throw new IllegalArgumentException("bad name in URI path '" + text + "'");
    }
    return name;
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
