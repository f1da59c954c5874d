package dev.tether.local.conformance;

/**
 * One conformance check: an id ({@code group.name}), a one-line title, the document section it proves
 * and the code that proves it. The body throws {@link Failure} with the reason when the peer is wrong,
 * or {@link NotApplicable} when the target cannot show the behaviour at all.
 */
public record Check(String id, String title, String section, Body body) {
  public String group() {
    return id.substring(0, id.indexOf('.'));
  }

  @FunctionalInterface
  public interface Body {
    void run(Target target) throws Exception;
  }

  /** The peer did something the document does not allow; the message says what. */
  public static final class Failure extends Exception {
    public Failure(String reason) {
      super(reason);
    }
  }

  /** The target cannot show this behaviour (e.g. resumption with an agent that dies with its transport). */
  public static final class NotApplicable extends Exception {
    public NotApplicable(String reason) {
      super(reason);
    }
  }

  static void require(boolean condition, String reason) throws Failure {
    if (!condition) {
      throw new Failure(reason);
    }
  }
}
