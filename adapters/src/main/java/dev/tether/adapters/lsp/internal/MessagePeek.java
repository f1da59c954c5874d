package dev.tether.adapters.lsp.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Reads a JSON-RPC message's top-level {@code method} and {@code id} straight from its bytes, without
 * building a tree: the rewriter parses only messages that the URI table says may carry URIs (by method,
 * or by the pending request a response answers), and forwards the rest as the same bytes.
 *
 * <p>One pass over the body, no allocation besides the two values. Anything it does not recognise (a
 * batch, malformed JSON, a top-level value that is not an object) gives null: the caller then parses
 * the message as before, so a peek can only save work, never change the outcome.
 */
public final class MessagePeek {
  /** The top-level {@code method} (null if absent) and the id as a {@link PendingRequests#key} (null if absent or not a string or number). */
  public record Peek(String method, String idKey, boolean hasId) {}

  private final byte[] b;
  private int i;

  private MessagePeek(byte[] body) {
    this.b = body;
  }

  /** The message's method and id, or null when the body is not a single JSON object this can read. */
  public static Peek peek(byte[] body) {
    try {
      return new MessagePeek(body).object();
    } catch (IllegalStateException | ArrayIndexOutOfBoundsException | NumberFormatException malformed) {
      return null;
    }
  }

  private Peek object() {
    skipSpace();
    expect('{');
    String method = null;
    String idKey = null;
    boolean hasId = false;
    skipSpace();
    if (b[i] == '}') {
      i++;
      return end(new Peek(null, null, false));
    }
    while (true) {
      skipSpace();
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      if (key.equals("method")) {
        method = b[i] == '"' ? string() : skipValueReturningNull();
      } else if (key.equals("id")) {
        hasId = true;
        idKey = idKey();
      } else {
        skipValue();
      }
      skipSpace();
      if (b[i] == ',') {
        i++;
      } else {
        expect('}');
        return end(new Peek(method, idKey, hasId));
      }
    }
  }

  private Peek end(Peek peek) {
    skipSpace();
    if (i != b.length) {
      throw new IllegalStateException("trailing bytes");
    }
    return peek;
  }

  private String idKey() {
    if (b[i] == '"') {
      return "s:" + string();
    }
    if (b[i] == '-' || (b[i] >= '0' && b[i] <= '9')) {
      int start = i;
      skipNumber();
      String number = new String(b, start, i - start, StandardCharsets.US_ASCII);
      return "n:" + new BigDecimal(number).stripTrailingZeros().toPlainString();
    }
    skipValue();
    return null;
  }

  private String skipValueReturningNull() {
    skipValue();
    return null;
  }

  private void skipValue() {
    switch (b[i]) {
      case '"' -> skipString();
      case '{', '[' -> skipNested();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> skipNumber();
    }
  }

  /** Skips an object or array, counting depth outside strings. */
  private void skipNested() {
    int depth = 0;
    do {
      byte c = b[i];
      if (c == '"') {
        skipString();
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      }
      i++;
    } while (depth > 0);
  }

  private void skipNumber() {
    int start = i;
    while (i < b.length && "+-0123456789.eE".indexOf(b[i]) >= 0) {
      i++;
    }
    if (i == start) {
      throw new IllegalStateException("not a value");
    }
  }

  private void literal(String word) {
    for (int k = 0; k < word.length(); k++) {
      if (b[i++] != word.charAt(k)) {
        throw new IllegalStateException("not a value");
      }
    }
  }

  private void skipString() {
    expect('"');
    while (b[i] != '"') {
      i += b[i] == '\\' ? 2 : 1;
    }
    i++;
  }

  /** A string's value; only the short ones (keys, methods, ids) are decoded. */
  private String string() {
    int start = i;
    skipString();
    String raw = new String(b, start + 1, i - start - 2, StandardCharsets.UTF_8);
    return raw.indexOf('\\') < 0 ? raw : unescape(raw);
  }

  private static String unescape(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (int k = 0; k < raw.length(); k++) {
      char c = raw.charAt(k);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = raw.charAt(++k);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(raw.substring(k + 1, k + 5), 16));
          k += 4;
        }
        default -> out.append(e); // \" \\ \/
      }
    }
    return out.toString();
  }

  private void skipSpace() {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
  }

  private void expect(char c) {
    if (b[i] != c) {
      throw new IllegalStateException("expected " + c);
    }
    i++;
  }
}
