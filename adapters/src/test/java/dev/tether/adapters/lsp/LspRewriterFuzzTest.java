package dev.tether.adapters.lsp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.tether.adapters.lsp.internal.FileUri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rewriter under arbitrary input (docs/SECURITY.md): whatever the host sends, every {@code file:}
 * URI the editor receives lies inside the mapping ({@code /home/me/proj}) or the cache, with no dot
 * segment, or is a rejected one; and no message, however malformed, makes it throw. The first input
 * byte picks the message (a definition result, {@code workspace/applyEdit}, diagnostics,
 * {@code window/showDocument}), the rest is the URI as UTF-8, so corpus files read as
 * {@code 0file:///srv/proj/../../root/.bashrc}. Corpus: LspRewriterFuzzTestInputs/.
 */
class LspRewriterFuzzTest {
  private static final Path CACHE;
  private static final String R = "{\"start\":{\"line\":0,\"character\":0},\"end\":{\"line\":0,\"character\":1}}";
  /** Server-to-editor messages with one URI slot each; %s is the fuzzed URI as a JSON string. */
  private static final String[] TEMPLATES = {
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"uri\":%s,\"range\":" + R + "}]}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"targetUri\":%s,\"targetRange\":" + R + ",\"targetSelectionRange\":" + R + "}]}",
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"workspace/applyEdit\",\"params\":{\"edit\":{\"documentChanges\":[{\"kind\":\"create\",\"uri\":%s}]}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"workspace/applyEdit\",\"params\":{\"edit\":{\"changes\":{%s:[]}}}}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":%s,\"diagnostics\":[]}}",
      "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"window/showDocument\",\"params\":{\"uri\":%s}}"};

  static {
    try {
      CACHE = Files.createTempDirectory("tether-fuzz-cache-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }


  private static final RemoteFiles NOTHING = new RemoteFiles() {
    @Override
    public Stamp stat(String remotePath) throws IOException {
      throw new NoSuchFileException(remotePath);
    }

    @Override
    public byte[] read(String remotePath, long maxBytes) throws IOException {
      throw new NoSuchFileException(remotePath);
    }
  };

  /** One for all runs: each cache has its own copying threads. Nothing is ever copied into it. */
  private static final MaterializedCache cache = new MaterializedCache(CACHE, "box", NOTHING);

  @FuzzTest
  void hostUrisNeverLeaveTheMappingOrTheCache(byte[] input) {
    LspRewriter rewriter = LspRewriter.builder(PathMapper.parse(List.of("/home/me/proj=/srv/proj")))
        .hostFiles(cache)
        .localFileExists(path -> false)
        .build();
    rewriter.clientToServer(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/definition\",\"params\":"
        + "{\"textDocument\":{\"uri\":\"file:///home/me/proj/a.py\"},\"position\":{\"line\":0,\"character\":0}}}")
        .getBytes(StandardCharsets.UTF_8));
    if (input.length == 0) {
      return;
    }
    String template = TEMPLATES[(input[0] & 0xff) % TEMPLATES.length];
    String uri = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    byte[] in = String.format(template, new JsonPrimitive(uri)).getBytes(StandardCharsets.UTF_8);
    byte[] out = rewriter.serverToClient(in);
    String cacheUri = cache.mapping().local();
    for (String s : strings(JsonParser.parseString(new String(out, StandardCharsets.UTF_8)))) {
      if (!s.regionMatches(true, 0, "file:", 0, 5)) {
        continue;
      }
      FileUri parsed = FileUri.parse(s);
      assertTrue(parsed != null && parsed.isLocalHost() && parsed.isCanonical()
          && (PathMappingCheck.under(parsed.path(), "/home/me/proj") || PathMappingCheck.under(parsed.path(), cacheUri)),
          "the host sent " + uri + " and the editor got " + s);
    }
  }

  @FuzzTest
  void anyBodyInEitherDirectionPassesOrIsRewrittenWithoutThrowing(byte[] body) {
    LspRewriter rewriter = LspRewriter.builder(PathMapper.parse(List.of("/home/me/proj=/srv/proj")))
        .hostFiles(cache)
        .localFileExists(path -> false)
        .build();
    rewriter.clientToServer(body);
    rewriter.serverToClient(body);
  }

  private static List<String> strings(JsonElement element) {
    List<String> out = new ArrayList<>();
    collect(element, out);
    return out;
  }

  private static void collect(JsonElement e, List<String> out) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      out.add(e.getAsString());
    } else if (e.isJsonArray()) {
      e.getAsJsonArray().forEach(x -> collect(x, out));
    } else if (e.isJsonObject()) {
      e.getAsJsonObject().entrySet().forEach(x -> {
        out.add(x.getKey());
        collect(x.getValue(), out);
      });
    }
  }

  /** Segment-aware prefix test, written apart from {@link PathMapping} so the check is independent. */
  private static final class PathMappingCheck {
    static boolean under(String path, String dir) {
      return path.equals(dir) || path.startsWith(dir.endsWith("/") ? dir : dir + "/");
    }
  }
}
