package dev.tether.adapters.lsp;

import static dev.tether.adapters.lsp.LspRewriterTest.bytes;
import static dev.tether.adapters.lsp.LspRewriterTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The editor-reader and server-reader threads share the pending-request state: one records a request,
 * the other retires it. Each thread here plays one direction, interleaved as freely as the queue
 * allows; every response must still be rewritten by the method of its own request.
 */
class LspRewriterThreadingTest {
  private static final int REQUESTS = 2_000;

  @Test
  void concurrentDirectionsKeepRequestsAndResponsesPaired() throws Exception {
    LspRewriter rewriter = LspRewriter.builder(PathMapper.parse(List.of("/home/u/proj=/srv/proj"))).build();
    BlockingQueue<Integer> forwarded = new ArrayBlockingQueue<>(64);

    CompletableFuture<Void> editor = CompletableFuture.runAsync(() -> {
      for (int id = 0; id < REQUESTS; id++) {
        String method = id % 2 == 0 ? "textDocument/definition" : "textDocument/documentLink";
        rewriter.clientToServer(bytes("{'id':" + id + ",'method':'" + method + "','params':"
            + "{'textDocument':{'uri':'file:///home/u/proj/a.py'},'position':{'line':0,'character':0}}}"));
        put(forwarded, id);
      }
    });
    CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> {
      int rewritten = 0;
      for (int i = 0; i < REQUESTS; i++) {
        int id = take(forwarded);
        String answer = id % 2 == 0
            ? "{'id':" + id + ",'result':{'uri':'file:///srv/proj/b.py'}}"
            : "{'id':" + id + ",'result':[{'target':'file:///srv/proj/b.py'}]}";
        if (text(rewriter.serverToClient(bytes(answer))).contains("/home/u/proj/b.py")) {
          rewritten++;
        }
      }
      return rewritten;
    });

    editor.get(30, TimeUnit.SECONDS);
    assertEquals(REQUESTS, server.get(30, TimeUnit.SECONDS));
    assertEquals(0, rewriter.pendingRequests());
  }

  private static void put(BlockingQueue<Integer> queue, int id) {
    try {
      queue.put(id);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int take(BlockingQueue<Integer> queue) {
    try {
      Integer id = queue.poll(30, TimeUnit.SECONDS);
      assertNotNull(id, "editor thread stalled");
      return id;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
