package dev.tether.adapters.lsp;

import static dev.tether.adapters.lsp.LspRewriterTest.bytes;
import static dev.tether.adapters.lsp.LspRewriterTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile host answering with URIs that would reach the user's own files through a mapping, or
 * with files that would block or flood the forwarding thread (docs/SECURITY.md). Whatever the host
 * sends, the editor receives a URI inside a mapping or inside the cache, or a rejected one.
 */
class HostileUrisTest {
  private static final String R = "{'start':{'line':0,'character':0},'end':{'line':0,'character':1}}";
  private static final String BASHRC = "alias ls='rm -rf ~'\n";

  @TempDir Path cacheDir;
  private final FakeRemoteFiles remote = new FakeRemoteFiles().put("/root/.bashrc", BASHRC, 5_000L);
  private final Set<Path> localFiles = new HashSet<>();
  private final CountDownLatch never = new CountDownLatch(1);
  private MaterializedCache cache;
  private LspRewriter rewriter;
  private int nextId;

  @BeforeEach
  void setUp() {
    cache = new MaterializedCache(cacheDir, "box", remote);
    rewriter = LspRewriter.builder(PathMapper.parse(List.of("/home/me/proj=/srv/proj")))
        .hostFiles(cache)
        .localFileExists(localFiles::contains)
        .build();
  }

  @AfterEach
  void release() {
    never.countDown();
  }

  @Test
  void dotSegmentsOutOfTheMappingLandInTheCacheAsTheHostsFile() throws IOException {
    for (String hostile : List.of(
        "file:///srv/proj/py/../../../../../root/.bashrc",
        "file:///../../../root/.bashrc",
        "file:///srv/proj/py/%2e%2e/%2E%2E/%2e./.%2E/../root/.bashrc",
        "file:///srv/proj/py/..%2F..%2F..%2Froot/.bashrc",
        "file:///srv/proj/./py/.%2f..%2f..%2f..%2f..%2froot/.bashrc",
        "file://localhost/srv/proj/../../root/.bashrc")) {
      assertEquals(cacheUri("/root/.bashrc"), definition(hostile), hostile);
    }
    assertEquals(BASHRC, Files.readString(cache.localPathFor("/root/.bashrc")));
  }

  @Test
  void dotSegmentsInsideTheMappingAreMappedAsTheFileTheyNameSpelledCanonically() {
    localFiles.add(Path.of("/home/me/proj/b.py"));
    assertEquals("file:///home/me/proj/b.py", definition("file:///srv/proj/py/../b.py"));
    assertEquals("file:///home/me/proj/b.py", definition("file:///srv/proj/py/%2E%2E/b.py"));
  }

  @Test
  void aWorkspaceEditOutOfTheMappingNeverNamesTheUsersFile() {
    String in = "{'jsonrpc':'2.0','id':5,'method':'workspace/applyEdit','params':{'edit':{'changes':{"
        + "'file:///srv/proj/py/../../../../../root/.bashrc':[{'range':" + R + ",'newText':'pwned'}]},"
        + "'documentChanges':[{'textDocument':{'uri':'file:///srv/proj/py/../../../../../root/.bashrc','version':1},"
        + "'edits':[]},{'kind':'create','uri':'file:///srv/proj/%2e%2e/%2e%2e/root/.profile'}]}}}";
    String out = text(rewriter.serverToClient(bytes(in)));
    assertFalse(out.contains("/home/me"), out);
    assertFalse(out.contains(".."), out);
    assertTrue(out.contains(cacheUri("/root/.bashrc")), out);
    assertTrue(out.contains(cacheUri("/root/.profile")), out);
  }

  @Test
  void aUriNamingAnotherMachineOrNoAbsolutePathIsRejected() {
    for (String hostile : List.of("file://evil/etc/passwd", "file://evil.example:445/share/x",
        "file:../../root/.bashrc", "file:root/.bashrc")) {
      String out = definition(hostile);
      assertTrue(out.startsWith(PathMapper.REJECTED_SCHEME + ":"), hostile + " became " + out);
    }
    assertTrue(remote.stats.isEmpty());
  }

  @Test
  void withoutACacheADotSegmentUriIsTakenAsTheHostsNormalizedPathNeverThroughTheMapping() {
    LspRewriter plain = LspRewriter.builder(PathMapper.parse(List.of("/home/me/proj=/srv/proj"))).build();
    plain.clientToServer(bytes("{'id':1,'method':'textDocument/definition','params':{'textDocument':"
        + "{'uri':'file:///home/me/proj/a.py'},'position':{'line':0,'character':0}}}"));
    String out = text(plain.serverToClient(bytes("{'id':1,'result':{'uri':"
        + "'file:///srv/proj/py/../../../root/.bashrc','range':" + R + "}}")));
    assertTrue(out.contains("'file:///root/.bashrc'".replace('\'', '"')), out);
  }

  @Test
  void aDeviceThatStatsAsEmptyIsRefusedAndTrafficContinues() {
    remote.putLying("/dev/zero", new byte[1 << 20], 0);
    assertEquals(cacheUri("/dev/zero"), definition("file:///dev/zero"));
    assertFalse(Files.exists(cache.localPathFor("/dev/zero")));
    assertEquals(cacheUri("/root/.bashrc"), definition("file:///root/.bashrc")); // the next one is answered
  }

  @Test
  void aFileLargerThanTheLimitIsRefusedBeforeItIsRead() {
    remote.put("/srv/big.bin", "x".repeat(2048), 1L);
    MaterializedCache small = new MaterializedCache(cacheDir, "box", remote, new MaterializedCache.Limits(1024, Duration.ofSeconds(20)));
    IOException e = assertThrows(IOException.class, () -> small.materialize("/srv/big.bin"));
    assertTrue(e.getMessage().contains("more than the limit"), e.getMessage());
    assertTrue(remote.reads.isEmpty());
  }

  @Test
  void aReadThatNeverEndsIsAbandonedAfterTheTimeoutAndTheNextCopyWorks() throws IOException {
    RemoteFiles fifo = new RemoteFiles() {
      @Override
      public Stamp stat(String remotePath) {
        return new Stamp(10, 1L);
      }

      @Override
      public byte[] read(String remotePath, long maxBytes) throws IOException {
        if (remotePath.equals("/tmp/fifo")) {
          return RemoteFiles.readAtMost(new BlockingStream(never), maxBytes, remotePath);
        }
        return "0123456789".getBytes();
      }
    };
    MaterializedCache slow = new MaterializedCache(cacheDir, "box", fifo, new MaterializedCache.Limits(1024, Duration.ofMillis(300)));
    IOException e = assertThrows(IOException.class, () -> slow.materialize("/tmp/fifo"));
    assertTrue(e.getMessage().contains("took longer than"), e.getMessage());
    assertEquals("0123456789", Files.readString(slow.materialize("/tmp/file")));
  }

  @Test
  void limitsComeFromTheEnvironmentWithAClearErrorForNonsense() {
    assertEquals(MaterializedCache.Limits.DEFAULT, MaterializedCache.Limits.fromEnvironment(java.util.Map.of()));
    MaterializedCache.Limits set = MaterializedCache.Limits.fromEnvironment(java.util.Map.of(
        MaterializedCache.Limits.MAX_MIB_VARIABLE, "8", MaterializedCache.Limits.TIMEOUT_VARIABLE, "3"));
    assertEquals(new MaterializedCache.Limits(8L << 20, Duration.ofSeconds(3)), set);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        MaterializedCache.Limits.fromEnvironment(java.util.Map.of(MaterializedCache.Limits.MAX_MIB_VARIABLE, "-1")));
    assertTrue(e.getMessage().startsWith(MaterializedCache.Limits.MAX_MIB_VARIABLE), e.getMessage());
  }

  /** An input stream that blocks until the test ends, like a FIFO nobody writes. */
  private static final class BlockingStream extends InputStream {
    private final CountDownLatch gate;

    BlockingStream(CountDownLatch gate) {
      this.gate = gate;
    }

    @Override
    public int read() throws IOException {
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException("abandoned");
      }
      return -1;
    }
  }

  private String cacheUri(String remotePath) {
    return "file://" + cache.hostDir() + remotePath;
  }

  private String definition(String targetUri) {
    nextId++;
    rewriter.clientToServer(bytes("{'jsonrpc':'2.0','id':" + nextId + ",'method':'textDocument/definition','params':"
        + "{'textDocument':{'uri':'file:///home/me/proj/main.py'},'position':{'line':0,'character':0}}}"));
    byte[] out = rewriter.serverToClient(bytes("{'jsonrpc':'2.0','id':" + nextId + ",'result':[{'targetUri':'"
        + targetUri + "','targetRange':" + R + ",'targetSelectionRange':" + R + "}]}"));
    JsonObject response = JsonParser.parseString(new String(out, java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
    return response.getAsJsonArray("result").get(0).getAsJsonObject().get("targetUri").getAsString();
  }
}
