package dev.tether.adapters.lsp;

import static dev.tether.adapters.lsp.LspRewriterTest.bytes;
import static dev.tether.adapters.lsp.LspRewriterTest.json;
import static dev.tether.adapters.lsp.LspRewriterTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote files with no local counterpart become read-only local copies the editor can open. */
class HostOnlyFilesTest {
  private static final String R = "{'start':{'line':0,'character':0},'end':{'line':0,'character':1}}";

  @TempDir Path cacheDir;
  private final FakeRemoteFiles remote = new FakeRemoteFiles()
      .put("/usr/include/stdio.h", "int printf(const char *, ...);\n", 1_000_000L)
      .put("/srv/proj/build/gen.py", "GENERATED = 1\n", 2_000_000L);
  private final Set<Path> localFiles = new HashSet<>();
  private MaterializedCache cache;
  private LspRewriter rewriter;
  private int nextId;

  @BeforeEach
  void setUp() {
    cache = new MaterializedCache(cacheDir, "dev@build-1:22", remote);
    rewriter = LspRewriter.builder(PathMapper.parse(List.of("/home/u/proj=/srv/proj")))
        .hostFiles(cache)
        .localFileExists(localFiles::contains)
        .build();
  }

  @Test
  void definitionInASystemHeaderOpensAReadOnlyCopy() throws IOException {
    String copy = definition("file:///usr/include/stdio.h");

    Path local = cache.localPathFor("/usr/include/stdio.h");
    assertEquals(cacheUri("/usr/include/stdio.h"), copy);
    assertEquals(cacheDir.resolve("dev@build-1_22/usr/include/stdio.h"), local);
    assertEquals("int printf(const char *, ...);\n", Files.readString(local));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(local)));
    assertEquals(1_000_000L, Files.getLastModifiedTime(local).toMillis());
  }

  @Test
  void aRequestInsideTheCopyGoesToTheRemoteFile() {
    String copy = definition("file:///usr/include/stdio.h");
    String hover = "{'jsonrpc':'2.0','id':99,'method':'textDocument/hover','params':{'textDocument':{'uri':'%s'},"
        + "'position':{'line':0,'character':4}}}";
    assertEquals(json(String.format(hover, "file:///usr/include/stdio.h")),
        text(rewriter.clientToServer(bytes(String.format(hover, copy)))));
  }

  @Test
  void anUnchangedFileIsFetchedOnce() {
    definition("file:///usr/include/stdio.h");
    definition("file:///usr/include/stdio.h");
    request("textDocument/references");
    rewriter.serverToClient(bytes("{'jsonrpc':'2.0','id':" + nextId + ",'result':["
        + "{'uri':'file:///usr/include/stdio.h','range':" + R + "},{'uri':'file:///usr/include/stdio.h','range':" + R + "}]}"));
    assertEquals(List.of("/usr/include/stdio.h"), remote.reads);
  }

  @Test
  void aChangedFileIsFetchedAgain() throws IOException {
    definition("file:///usr/include/stdio.h");
    remote.put("/usr/include/stdio.h", "int printf(const char *restrict, ...);\n", 1_000_500L);
    definition("file:///usr/include/stdio.h");
    assertEquals(2, remote.reads.size());
    assertEquals("int printf(const char *restrict, ...);\n",
        Files.readString(cache.localPathFor("/usr/include/stdio.h")));
  }

  @Test
  void aCopyFromAnEarlierSessionIsReusedWhenCurrent() {
    definition("file:///usr/include/stdio.h");
    MaterializedCache nextSession = new MaterializedCache(cacheDir, "dev@build-1:22", remote);
    LspRewriter next = LspRewriter.builder(PathMapper.parse(List.of("/home/u/proj=/srv/proj")))
        .hostFiles(nextSession).build();
    next.clientToServer(bytes("{'id':1,'method':'textDocument/definition','params':{'textDocument':"
        + "{'uri':'file:///home/u/proj/a.c'},'position':{'line':0,'character':0}}}"));
    next.serverToClient(bytes("{'id':1,'result':{'uri':'file:///usr/include/stdio.h','range':" + R + "}}"));
    assertEquals(1, remote.reads.size());
  }

  @Test
  void showDocumentOfAHostOnlyFileOpensTheCopy() {
    String in = "{'jsonrpc':'2.0','id':'s','method':'window/showDocument','params':{'uri':'file:///usr/include/stdio.h'}}";
    assertEquals(json(in.replace("file:///usr/include/stdio.h", cacheUri("/usr/include/stdio.h"))),
        text(rewriter.serverToClient(bytes(in))));
    assertEquals(List.of("/usr/include/stdio.h"), remote.reads);
  }

  @Test
  void aMappedFileMissingLocallyIsCopied() {
    assertEquals(cacheUri("/srv/proj/build/gen.py"), definition("file:///srv/proj/build/gen.py"));
    localFiles.add(Path.of("/home/u/proj/src/main.py"));
    assertEquals("file:///home/u/proj/src/main.py", definition("file:///srv/proj/src/main.py"));
    assertEquals(List.of("/srv/proj/build/gen.py"), remote.reads);
  }

  @Test
  void diagnosticsNameHostOnlyFilesWithoutFetching() {
    String in = "{'jsonrpc':'2.0','method':'textDocument/publishDiagnostics','params':{'uri':'file:///srv/proj/a.py',"
        + "'diagnostics':[{'range':" + R + ",'message':'m','relatedInformation':["
        + "{'location':{'uri':'file:///usr/include/stdio.h','range':" + R + "},'message':'declared here'},"
        + "{'location':{'uri':'file:///srv/proj/build/gen.py','range':" + R + "},'message':'generated'}]}]}}";
    String expected = in.replace("file:///srv/proj/a.py", "file:///home/u/proj/a.py")
        .replace("file:///usr/include/stdio.h", cacheUri("/usr/include/stdio.h"))
        .replace("file:///srv/proj/build/gen.py", "file:///home/u/proj/build/gen.py");
    assertEquals(json(expected), text(rewriter.serverToClient(bytes(in))));
    assertTrue(remote.reads.isEmpty() && remote.stats.isEmpty());
  }

  @Test
  void onceCopiedAFileIsAlwaysNamedByItsCopy() {
    String copy = definition("file:///srv/proj/build/gen.py");
    String diagnostics = "{'method':'textDocument/publishDiagnostics','params':{'uri':'%s','diagnostics':[]}}";
    assertEquals(json(String.format(diagnostics, copy)),
        text(rewriter.serverToClient(bytes(String.format(diagnostics, "file:///srv/proj/build/gen.py")))));
  }

  @Test
  void workspaceEditsToMappedFilesAreNeverRedirectedToTheCache() {
    String in = "{'id':5,'method':'workspace/applyEdit','params':{'edit':{'documentChanges':["
        + "{'kind':'create','uri':'file:///srv/proj/new.py'}]}}}";
    assertEquals(json(in.replace("/srv/proj", "/home/u/proj")), text(rewriter.serverToClient(bytes(in))));
    assertTrue(remote.stats.isEmpty());
  }

  @Test
  void aHostOnlyFileThatCannotBeFetchedIsStillNamedByItsCopyNeverByTheHostPath() {
    // The host's /usr/include/missing.h, taken on the editor's machine, would be one of the user's files.
    assertEquals(cacheUri("/usr/include/missing.h"), definition("file:///usr/include/missing.h"));
    assertEquals("file:///home/u/proj/gone.py", definition("file:///srv/proj/gone.py"));
  }

  @Test
  void pathsWithDotSegmentsAreCopiedAsTheFileTheyResolveTo() {
    remote.put("/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 3_000L);
    assertEquals(cacheUri("/etc/passwd"), definition("file:///usr/include/../../etc/passwd"));
    assertEquals(List.of("/etc/passwd"), remote.reads);
  }

  @Test
  void withoutACacheHostOnlyUrisPassUnchanged() {
    LspRewriter plain = LspRewriter.builder(PathMapper.parse(List.of("/home/u/proj=/srv/proj"))).build();
    plain.clientToServer(bytes("{'id':1,'method':'textDocument/definition','params':{'textDocument':"
        + "{'uri':'file:///home/u/proj/a.c'},'position':{'line':0,'character':0}}}"));
    byte[] answer = bytes("{'id':1,'result':{'uri':'file:///usr/include/stdio.h','range':" + R + "}}");
    assertSame(answer, plain.serverToClient(answer));
  }

  String cacheUri(String remotePath) {
    return "file://" + cache.hostDir() + remotePath;
  }

  private void request(String method) {
    nextId++;
    rewriter.clientToServer(bytes("{'jsonrpc':'2.0','id':" + nextId + ",'method':'" + method + "','params':"
        + "{'textDocument':{'uri':'file:///home/u/proj/main.c'},'position':{'line':0,'character':0},"
        + "'context':{'includeDeclaration':true}}}"));
  }

  /** Asks for a definition, answers with {@code targetUri}, returns the URI the editor receives. */
  String definition(String targetUri) {
    request("textDocument/definition");
    byte[] out = rewriter.serverToClient(bytes("{'jsonrpc':'2.0','id':" + nextId + ",'result':[{'targetUri':'"
        + targetUri + "','targetRange':" + R + ",'targetSelectionRange':" + R + "}]}"));
    return JsonParser.parseString(new String(out, StandardCharsets.UTF_8)).getAsJsonObject()
        .getAsJsonArray("result").get(0).getAsJsonObject().get("targetUri").getAsString();
  }
}
