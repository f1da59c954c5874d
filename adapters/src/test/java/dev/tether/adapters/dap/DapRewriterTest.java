package dev.tether.adapters.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tether.adapters.lsp.MaterializedCache;
import dev.tether.adapters.lsp.PathMapper;
import dev.tether.adapters.lsp.RemoteFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden in, golden out: what {@link DapRewriter} does to each kind of message, byte for byte. */
class DapRewriterTest {
  private static final String OS_PY = "import sys\n";

  @TempDir Path cacheDir;
  private final List<String> fetched = new ArrayList<>();
  private final Set<Path> localFiles = new HashSet<>();
  private DapRewriter rewriter;
  private String copies;

  @BeforeEach
  void setUp() {
    RemoteFiles remote = new RemoteFiles() {
      final Map<String, String> files = Map.of("/usr/lib/python3.11/os.py", OS_PY);

      @Override
      public Stamp stat(String path) throws IOException {
        if (!files.containsKey(path)) {
          throw new NoSuchFileException(path);
        }
        return new Stamp(files.get(path).length(), 1_000_000L);
      }

      @Override
      public byte[] read(String path, long maxBytes) throws IOException {
        fetched.add(path);
        return stat(path) == null ? null : files.get(path).getBytes(StandardCharsets.UTF_8);
      }
    };
    MaterializedCache cache = new MaterializedCache(cacheDir, "dev@box", remote);
    copies = cache.hostDir().toString();
    localFiles.add(Path.of("/home/u/proj/app.py"));
    rewriter = DapRewriter.builder(PathMapper.parse(List.of("/home/u/proj=/srv/proj")))
        .hostFiles(cache)
        .localFileExists(localFiles::contains)
        .pathKeys(List.of("program", "cwd", "python"))
        .build();
  }

  private static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }

  private static String golden(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  @Test
  void messagesWithoutPathsPassAsTheSameBytes() {
    for (String message : List.of(
        "{'seq':3,'type':'request','command':'threads'}",
        "{'seq':4, 'type':'request', 'command':'continue', 'arguments':{'threadId':1}}",
        "not json at all")) {
      byte[] in = json(message);
      assertSame(in, rewriter.clientToAdapter(in), message);
    }
    for (String message : List.of(
        "{'seq':9,'type':'event','event':'stopped','body':{'reason':'breakpoint','threadId':1}}",
        "{'seq':10,'type':'response','request_seq':3,'success':true,'command':'threads','body':{'threads':[]}}",
        "{'seq':11,'type':'event','event':'output','body':{'category':'stdout','output':'/srv/proj/app.py\\n'}}")) {
      byte[] in = json(message);
      assertSame(in, rewriter.adapterToClient(in), message);
    }
  }

  @Test
  void setBreakpointsGoesToTheHostsPathAndComesBackInTheClients() {
    assertEquals(golden("{'seq':2,'type':'request','command':'setBreakpoints','arguments':{'source':{'name':'app.py',"
            + "'path':'/srv/proj/app.py'},'breakpoints':[{'line':6}],'sourceModified':false}}"),
        text(rewriter.clientToAdapter(json("{'seq':2,'type':'request','command':'setBreakpoints','arguments':{'source':"
            + "{'name':'app.py','path':'/home/u/proj/app.py'},'breakpoints':[{'line':6}],'sourceModified':false}}"))));
    assertEquals(golden("{'seq':5,'type':'response','request_seq':2,'success':true,'command':'setBreakpoints','body':"
            + "{'breakpoints':[{'verified':true,'id':0,'source':{'path':'/home/u/proj/app.py'},'line':6}]}}"),
        text(rewriter.adapterToClient(json("{'seq':5,'type':'response','request_seq':2,'success':true,'command':"
            + "'setBreakpoints','body':{'breakpoints':[{'verified':true,'id':0,'source':{'path':'/srv/proj/app.py'},'line':6}]}}"))));
  }

  @Test
  void aStdlibFrameIsCopiedReadOnlyAndNamedByItsCopy() throws IOException {
    String out = text(rewriter.adapterToClient(json("{'seq':7,'type':'response','request_seq':4,'success':true,"
        + "'command':'stackTrace','body':{'stackFrames':[{'id':2,'name':'join','line':71,'column':1,'source':"
        + "{'path':'/usr/lib/python3.11/os.py','sourceReference':0}},{'id':3,'name':'main','line':13,'column':1,"
        + "'source':{'path':'/srv/proj/app.py','sourceReference':0}}],'totalFrames':2}}")));
    Path copy = Path.of(copies, "usr/lib/python3.11/os.py");
    assertEquals(golden("{'seq':7,'type':'response','request_seq':4,'success':true,'command':'stackTrace','body':"
        + "{'stackFrames':[{'id':2,'name':'join','line':71,'column':1,'source':{'path':'" + copy + "',"
        + "'sourceReference':0}},{'id':3,'name':'main','line':13,'column':1,'source':{'path':'/home/u/proj/app.py',"
        + "'sourceReference':0}}],'totalFrames':2}}"), out);
    assertEquals(OS_PY, Files.readString(copy));
    assertEquals(List.of("/usr/lib/python3.11/os.py"), fetched);
    // The client sends the copy's path back (a breakpoint in it): the adapter gets the host file.
    assertEquals(golden("{'seq':8,'type':'request','command':'setBreakpoints','arguments':{'source':{'path':"
            + "'/usr/lib/python3.11/os.py'},'breakpoints':[{'line':71}]}}"),
        text(rewriter.clientToAdapter(json("{'seq':8,'type':'request','command':'setBreakpoints','arguments':"
            + "{'source':{'path':'" + copy + "'},'breakpoints':[{'line':71}]}}"))));
  }

  @Test
  void modulePathsAreNamedWithoutFetchingAndNestedSourcesAreMapped() {
    String out = text(rewriter.adapterToClient(json("{'seq':12,'type':'event','event':'module','body':{'reason':'new',"
        + "'module':{'id':1,'name':'runpy','path':'/usr/lib/python3.11/runpy.py'}}}")));
    assertTrue(out.contains("'path':'" .replace('\'', '"') + Path.of(copies, "usr/lib/python3.11/runpy.py") + "\""), out);
    assertEquals(List.of(), fetched, "a module event fetches nothing");
    assertEquals(golden("{'seq':13,'type':'event','event':'loadedSource','body':{'reason':'new','source':{'path':"
            + "'/home/u/proj/app.py','sources':[{'path':'/home/u/proj/gen/app_pb.py'}]}}}"),
        text(rewriter.adapterToClient(json("{'seq':13,'type':'event','event':'loadedSource','body':{'reason':'new',"
            + "'source':{'path':'/srv/proj/app.py','sources':[{'path':'/srv/proj/gen/app_pb.py'}]}}}"))));
  }

  @Test
  void launchMapsTheEntrysPathKeysAndLeavesTheUsersDebuggerMappingsAlone() {
    assertEquals(golden("{'seq':2,'type':'request','command':'launch','arguments':{'program':'/srv/proj/app.py',"
            + "'cwd':'/srv/proj','python':['/usr/bin/python3','-X','dev'],'args':['/home/u/proj/in.txt'],"
            + "'pathMappings':[{'localRoot':'/home/u/proj','remoteRoot':'/srv/proj'}],"
            + "'sourceMap':{'/build':'/home/u/proj'},'substitutePath':[{'from':'/home/u/proj','to':'/x'}],"
            + "'sourceFileMap':{'/home/u/proj':'/y'}}}"),
        text(rewriter.clientToAdapter(json("{'seq':2,'type':'request','command':'launch','arguments':{'program':"
            + "'/home/u/proj/app.py','cwd':'/home/u/proj','python':['/usr/bin/python3','-X','dev'],"
            + "'args':['/home/u/proj/in.txt'],'pathMappings':[{'localRoot':'/home/u/proj','remoteRoot':'/srv/proj'}],"
            + "'sourceMap':{'/build':'/home/u/proj'},'substitutePath':[{'from':'/home/u/proj','to':'/x'}],"
            + "'sourceFileMap':{'/home/u/proj':'/y'}}}"))));
  }

  @Test
  void uriPathsKeepTheirForm() {
    assertEquals(golden("{'seq':2,'type':'request','command':'setBreakpoints','arguments':{'source':{'path':"
            + "'file:///srv/proj/My%20App/a.py'}}}"),
        text(rewriter.clientToAdapter(json("{'seq':2,'type':'request','command':'setBreakpoints','arguments':"
            + "{'source':{'path':'file:///home/u/proj/My%20App/a.py'}}}"))));
  }

  @Test
  void childSessionConfigurationsComeBackInTheClientsPaths() {
    assertEquals(golden("{'seq':20,'type':'event','event':'debugpyAttach','body':{'name':'Subprocess 7','request':"
            + "'attach','program':'/home/u/proj/app.py','cwd':'/home/u/proj','connect':{'host':'127.0.0.1','port':41234},"
            + "'subProcessId':7}}"),
        text(rewriter.adapterToClient(json("{'seq':20,'type':'event','event':'debugpyAttach','body':{'name':"
            + "'Subprocess 7','request':'attach','program':'/srv/proj/app.py','cwd':'/srv/proj','connect':"
            + "{'host':'127.0.0.1','port':41234},'subProcessId':7}}"))));
    assertEquals(golden("{'seq':21,'type':'request','command':'startDebugging','arguments':{'request':'launch',"
            + "'configuration':{'program':'/home/u/proj/worker.py'}}}"),
        text(rewriter.adapterToClient(json("{'seq':21,'type':'request','command':'startDebugging','arguments':"
            + "{'request':'launch','configuration':{'program':'/srv/proj/worker.py'}}}"))));
  }

  /**
   * The bridge answers the adapter's runInTerminal itself: the client's later messages move past the
   * inserted seq, and the adapter's answers (and a cancel) are translated, so each side sees one numbering.
   */
  @Test
  void anInsertedResponseRenumbersTheClientsLaterMessagesConsistently() {
    byte[] first = json("{'seq':1,'type':'request','command':'initialize','arguments':{}}");
    assertSame(first, rewriter.clientToAdapter(first));
    JsonObject runInTerminal = DapRewriter.parse(json("{'seq':4,'type':'request','command':'runInTerminal',"
        + "'arguments':{'args':['python3'],'cwd':'/srv/proj'}}"));
    JsonObject body = new JsonObject();
    body.addProperty("processId", 4242);
    assertEquals(golden("{'seq':2,'type':'response','request_seq':4,'success':true,'command':'runInTerminal',"
        + "'body':{'processId':4242}}"), text(rewriter.responseToAdapter(runInTerminal, body, null)));
    assertEquals(golden("{'seq':3,'type':'request','command':'threads'}"),
        text(rewriter.clientToAdapter(json("{'seq':2,'type':'request','command':'threads'}"))));
    assertEquals(golden("{'seq':4,'type':'request','command':'cancel','arguments':{'requestId':3}}"),
        text(rewriter.clientToAdapter(json("{'seq':3,'type':'request','command':'cancel','arguments':{'requestId':2}}"))));
    assertEquals(golden("{'seq':6,'type':'response','request_seq':2,'success':true,'command':'threads','body':{}}"),
        text(rewriter.adapterToClient(json("{'seq':6,'type':'response','request_seq':3,'success':true,'command':'threads','body':{}}"))));
    byte[] initialized = json("{'seq':5,'type':'response','request_seq':1,'success':true,'command':'initialize'}");
    assertSame(initialized, rewriter.adapterToClient(initialized), "a request sent before the insertion keeps its number");
  }

  @Test
  void anInsertedEventRenumbersTheAdaptersLaterMessagesAndTheClientsAnswers() {
    JsonObject output = new JsonObject();
    output.addProperty("category", "important");
    output.addProperty("output", "tether: connection lost\n");
    byte[] stopped = json("{'seq':1,'type':'event','event':'stopped','body':{'threadId':1}}");
    assertSame(stopped, rewriter.adapterToClient(stopped));
    assertEquals(golden("{'seq':2,'type':'event','event':'output','body':{'category':'important','output':"
        + "'tether: connection lost\\n'}}"), text(rewriter.eventToClient("output", output)));
    assertEquals(golden("{'seq':3,'type':'request','command':'startDebugging','arguments':{'request':'attach',"
            + "'configuration':{}}}"),
        text(rewriter.adapterToClient(json("{'seq':2,'type':'request','command':'startDebugging','arguments':"
            + "{'request':'attach','configuration':{}}}"))));
    assertEquals(golden("{'seq':1,'type':'response','request_seq':2,'success':true,'command':'startDebugging'}"),
        text(rewriter.clientToAdapter(json("{'seq':1,'type':'response','request_seq':3,'success':true,'command':'startDebugging'}"))));
  }

  @Test
  void requestsTheAdapterNeverAnsweredAreFailedWithTheReason() {
    rewriter.clientToAdapter(json("{'seq':1,'type':'request','command':'initialize','arguments':{}}"));
    rewriter.adapterToClient(json("{'seq':1,'type':'response','request_seq':1,'success':true,'command':'initialize'}"));
    rewriter.clientToAdapter(json("{'seq':2,'type':'request','command':'launch','arguments':{}}"));
    List<byte[]> failed = rewriter.failUnanswered("tether: the adapter exited");
    assertEquals(1, failed.size());
    assertEquals(golden("{'seq':2,'type':'response','request_seq':2,'success':false,'command':'launch','message':"
        + "'tether: the adapter exited','body':{'error':{'id':1,'format':'tether: the adapter exited','showUser':true}}}"),
        text(failed.get(0)));
    assertEquals(List.of(), rewriter.failUnanswered("again"), "each request is answered once");
  }
}
