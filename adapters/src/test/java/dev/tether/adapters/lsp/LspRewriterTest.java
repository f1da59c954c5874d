package dev.tether.adapters.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden tests: one message in, the exact message out. Messages are written with {@code '} for
 * {@code "} to stay readable. Editor side {@code /home/u/proj}, server side {@code /srv/proj}.
 */
class LspRewriterTest {
  private static final String R = "{'start':{'line':0,'character':0},'end':{'line':0,'character':1}}";

  private final LspRewriter rewriter = LspRewriter.builder(PathMapper.parse(List.of("/home/u/proj=/srv/proj"))).build();

  // --- initialize ---------------------------------------------------------------------------------

  @Test
  void initializeTranslatesRootsAndLeavesProcessIdToTheAgent() {
    toServer(
        "{'jsonrpc':'2.0','id':0,'method':'initialize','params':{'processId':4242,'clientInfo':{'name':'ed'},"
            + "'rootPath':'/home/u/proj','rootUri':'file:///home/u/proj','capabilities':{},"
            + "'initializationOptions':{'cache':'/home/u/proj/.cache'},"
            + "'workspaceFolders':[{'uri':'file:///home/u/proj','name':'proj'}]}}",
        "{'jsonrpc':'2.0','id':0,'method':'initialize','params':{'processId':4242,'clientInfo':{'name':'ed'},"
            + "'rootPath':'/srv/proj','rootUri':'file:///srv/proj','capabilities':{},"
            + "'initializationOptions':{'cache':'/home/u/proj/.cache'},"
            + "'workspaceFolders':[{'uri':'file:///srv/proj','name':'proj'}]}}");
  }

  @Test
  void initializeWithNothingToTranslatePassesAsTheSameBytes() {
    passesToServer(rewriter, "{'id':1,'method':'initialize','params':{'processId':99,"
        + "'rootUri':null,'workspaceFolders':null,'capabilities':{}}}");
    passesToServer(rewriter, "{'id':2,'method':'initialize','params':{'processId':null,'capabilities':{}}}");
  }

  @Test
  void initializeResultTranslatesRelativePatternBaseUris() {
    toServer("{'jsonrpc':'2.0','id':0,'method':'initialize','params':{'processId':777,'capabilities':{}}}",
        "{'jsonrpc':'2.0','id':0,'method':'initialize','params':{'processId':777,'capabilities':{}}}");
    toClient("{'jsonrpc':'2.0','id':0,'result':{'capabilities':{'textDocumentSync':2,'declarationProvider':"
            + "{'documentSelector':[{'language':'python','pattern':{'baseUri':'file:///srv/proj','pattern':'**/*.py'}}]}}}}",
        "{'jsonrpc':'2.0','id':0,'result':{'capabilities':{'textDocumentSync':2,'declarationProvider':"
            + "{'documentSelector':[{'language':'python','pattern':{'baseUri':'file:///home/u/proj','pattern':'**/*.py'}}]}}}}");
  }

  @Test
  void initializeResultWithoutUrisPassesUnchanged() {
    passesToServer("{'jsonrpc':'2.0','id':0,'method':'initialize','params':{'processId':777,'capabilities':{}}}");
    passesToClient("{'jsonrpc':'2.0','id':0,'result':{'capabilities':{'hoverProvider':true},"
        + "'serverInfo':{'name':'pylsp','version':'1.12'}}}");
    assertEquals(0, rewriter.pendingRequests());
  }

  // --- document synchronisation -------------------------------------------------------------------

  @Test
  void didOpenDidChangeDidCloseTranslateTheDocument() {
    toServer("{'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':"
            + "{'uri':'file:///home/u/proj/a.py','languageId':'python','version':1,'text':'import os\\n'}}}",
        "{'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':"
            + "{'uri':'file:///srv/proj/a.py','languageId':'python','version':1,'text':'import os\\n'}}}");
    toServer("{'jsonrpc':'2.0','method':'textDocument/didChange','params':{'textDocument':"
            + "{'uri':'file:///home/u/proj/a.py','version':2},'contentChanges':[{'range':" + R + ",'text':'x'}]}}",
        "{'jsonrpc':'2.0','method':'textDocument/didChange','params':{'textDocument':"
            + "{'uri':'file:///srv/proj/a.py','version':2},'contentChanges':[{'range':" + R + ",'text':'x'}]}}");
    toServer("{'jsonrpc':'2.0','method':'textDocument/didClose','params':{'textDocument':{'uri':'file:///home/u/proj/a.py'}}}",
        "{'jsonrpc':'2.0','method':'textDocument/didClose','params':{'textDocument':{'uri':'file:///srv/proj/a.py'}}}");
  }

  // --- requests and their responses ---------------------------------------------------------------

  @Test
  void hoverTranslatesTheRequestAndPassesAUriFreeAnswer() {
    toServer("{'jsonrpc':'2.0','id':3,'method':'textDocument/hover','params':{'textDocument':"
            + "{'uri':'file:///home/u/proj/a.py'},'position':{'line':1,'character':2}}}",
        "{'jsonrpc':'2.0','id':3,'method':'textDocument/hover','params':{'textDocument':"
            + "{'uri':'file:///srv/proj/a.py'},'position':{'line':1,'character':2}}}");
    // Markdown that mentions a path is text, not a URI-typed field.
    passesToClient("{'jsonrpc':'2.0','id':3,'result':{'contents':{'kind':'markdown','value':'see file:///srv/proj/a.py'}}}");
  }

  @Test
  void definitionReturningOneLocation() {
    request(4, "textDocument/definition");
    toClient("{'jsonrpc':'2.0','id':4,'result':{'uri':'file:///srv/proj/b.py','range':" + R + "}}",
        "{'jsonrpc':'2.0','id':4,'result':{'uri':'file:///home/u/proj/b.py','range':" + R + "}}");
  }

  @Test
  void aResponseIsMatchedToItsRequestWithoutParsingBothWaysTheSame() {
    // The unparsed fast path keys ids like the tracker: 40 and 40.0 are one number, "40" is not.
    request(40, "textDocument/definition");
    passesToClient("{'jsonrpc':'2.0','id':'40','result':{'uri':'file:///srv/proj/b.py','range':" + R + "}}");
    toClient("{'jsonrpc':'2.0','id':40.0,'result':{'uri':'file:///srv/proj/b.py','range':" + R + "}}",
        "{'jsonrpc':'2.0','id':40.0,'result':{'uri':'file:///home/u/proj/b.py','range':" + R + "}}");
  }

  @Test
  void messagesWithoutUrisPassAsTheSameBytes() {
    passesToServer("{'jsonrpc':'2.0','id':41,'method':'bench/ping','params':{'uri':'file:///home/u/proj/a.py'}}");
    passesToClient("{'jsonrpc':'2.0','id':41,'result':{'uri':'file:///srv/proj/a.py'}}");
    passesToServer("{'jsonrpc':'2.0','id':42,'method':'shutdown','params':{'textDocument':{'uri':'file:///home/u/proj/a.py'}}}");
  }

  @Test
  void definitionReturningLocations() {
    request(5, "textDocument/definition");
    toClient("{'jsonrpc':'2.0','id':5,'result':[{'uri':'file:///srv/proj/b.py','range':" + R + "},"
            + "{'uri':'file:///srv/proj/c.py','range':" + R + "}]}",
        "{'jsonrpc':'2.0','id':5,'result':[{'uri':'file:///home/u/proj/b.py','range':" + R + "},"
            + "{'uri':'file:///home/u/proj/c.py','range':" + R + "}]}");
  }

  @Test
  void definitionReturningLocationLinks() {
    request(6, "textDocument/definition");
    toClient("{'jsonrpc':'2.0','id':6,'result':[{'originSelectionRange':" + R + ",'targetUri':'file:///srv/proj/b.py',"
            + "'targetRange':" + R + ",'targetSelectionRange':" + R + "}]}",
        "{'jsonrpc':'2.0','id':6,'result':[{'originSelectionRange':" + R + ",'targetUri':'file:///home/u/proj/b.py',"
            + "'targetRange':" + R + ",'targetSelectionRange':" + R + "}]}");
  }

  @Test
  void references() {
    toServer("{'jsonrpc':'2.0','id':7,'method':'textDocument/references','params':{'textDocument':"
            + "{'uri':'file:///home/u/proj/a.py'},'position':{'line':0,'character':0},'context':{'includeDeclaration':true}}}",
        "{'jsonrpc':'2.0','id':7,'method':'textDocument/references','params':{'textDocument':"
            + "{'uri':'file:///srv/proj/a.py'},'position':{'line':0,'character':0},'context':{'includeDeclaration':true}}}");
    toClient("{'jsonrpc':'2.0','id':7,'result':[{'uri':'file:///srv/proj/a.py','range':" + R + "},"
            + "{'uri':'file:///srv/proj/pkg/b.py','range':" + R + "}]}",
        "{'jsonrpc':'2.0','id':7,'result':[{'uri':'file:///home/u/proj/a.py','range':" + R + "},"
            + "{'uri':'file:///home/u/proj/pkg/b.py','range':" + R + "}]}");
  }

  @Test
  void workspaceSymbolWithSymbolInformationAndWorkspaceSymbol() {
    toServer("{'jsonrpc':'2.0','id':8,'method':'workspace/symbol','params':{'query':'Foo'}}",
        "{'jsonrpc':'2.0','id':8,'method':'workspace/symbol','params':{'query':'Foo'}}");
    toClient("{'jsonrpc':'2.0','id':8,'result':[{'name':'Foo','kind':5,'location':{'uri':'file:///srv/proj/foo.py','range':" + R + "}},"
            + "{'name':'Bar','kind':5,'location':{'uri':'file:///srv/proj/bar.py'},'data':{'path':'file:///srv/proj/bar.py'}}]}",
        "{'jsonrpc':'2.0','id':8,'result':[{'name':'Foo','kind':5,'location':{'uri':'file:///home/u/proj/foo.py','range':" + R + "}},"
            + "{'name':'Bar','kind':5,'location':{'uri':'file:///home/u/proj/bar.py'},'data':{'path':'file:///srv/proj/bar.py'}}]}");
  }

  @Test
  void documentLinkTargetsKeepTheirFragmentAndLeaveWebLinksAlone() {
    request(9, "textDocument/documentLink");
    toClient("{'jsonrpc':'2.0','id':9,'result':[{'range':" + R + ",'target':'file:///srv/proj/README.md#L10'},"
            + "{'range':" + R + ",'target':'https://example.com/srv/proj'}]}",
        "{'jsonrpc':'2.0','id':9,'result':[{'range':" + R + ",'target':'file:///home/u/proj/README.md#L10'},"
            + "{'range':" + R + ",'target':'https://example.com/srv/proj'}]}");
  }

  @Test
  void fileOperationUrisTypedAsPlainStringsAreTranslatedToo() {
    toServer("{'jsonrpc':'2.0','id':10,'method':'workspace/willRenameFiles','params':{'files':"
            + "[{'oldUri':'file:///home/u/proj/old.py','newUri':'file:///home/u/proj/new.py'}]}}",
        "{'jsonrpc':'2.0','id':10,'method':'workspace/willRenameFiles','params':{'files':"
            + "[{'oldUri':'file:///srv/proj/old.py','newUri':'file:///srv/proj/new.py'}]}}");
    toClient("{'jsonrpc':'2.0','id':10,'result':{'changes':{'file:///srv/proj/user.py':[{'range':" + R + ",'newText':'new'}]}}}",
        "{'jsonrpc':'2.0','id':10,'result':{'changes':{'file:///home/u/proj/user.py':[{'range':" + R + ",'newText':'new'}]}}}");
  }

  // --- server-to-client traffic -------------------------------------------------------------------

  @Test
  void publishDiagnosticsIncludingRelatedInformation() {
    toClient("{'jsonrpc':'2.0','method':'textDocument/publishDiagnostics','params':{'uri':'file:///srv/proj/a.py','version':3,"
            + "'diagnostics':[{'range':" + R + ",'severity':1,'code':'E1','codeDescription':{'href':'https://docs.example/E1'},"
            + "'message':'m','relatedInformation':[{'location':{'uri':'file:///srv/proj/b.py','range':" + R + "},'message':'here'}]}]}}",
        "{'jsonrpc':'2.0','method':'textDocument/publishDiagnostics','params':{'uri':'file:///home/u/proj/a.py','version':3,"
            + "'diagnostics':[{'range':" + R + ",'severity':1,'code':'E1','codeDescription':{'href':'https://docs.example/E1'},"
            + "'message':'m','relatedInformation':[{'location':{'uri':'file:///home/u/proj/b.py','range':" + R + "},'message':'here'}]}]}}");
  }

  @Test
  void applyEditTranslatesChangesKeysAndEveryDocumentChange() {
    toClient("{'jsonrpc':'2.0','id':'s1','method':'workspace/applyEdit','params':{'label':'rename','edit':{"
            + "'changes':{'file:///srv/proj/a.py':[{'range':" + R + ",'newText':'y'}],'file:///srv/proj/b.py':[]},"
            + "'documentChanges':[{'textDocument':{'uri':'file:///srv/proj/a.py','version':3},'edits':[]},"
            + "{'kind':'create','uri':'file:///srv/proj/new.py','options':{'overwrite':false}},"
            + "{'kind':'rename','oldUri':'file:///srv/proj/old.py','newUri':'file:///srv/proj/new2.py'},"
            + "{'kind':'delete','uri':'file:///srv/proj/gone.py'}]}}}",
        "{'jsonrpc':'2.0','id':'s1','method':'workspace/applyEdit','params':{'label':'rename','edit':{"
            + "'changes':{'file:///home/u/proj/a.py':[{'range':" + R + ",'newText':'y'}],'file:///home/u/proj/b.py':[]},"
            + "'documentChanges':[{'textDocument':{'uri':'file:///home/u/proj/a.py','version':3},'edits':[]},"
            + "{'kind':'create','uri':'file:///home/u/proj/new.py','options':{'overwrite':false}},"
            + "{'kind':'rename','oldUri':'file:///home/u/proj/old.py','newUri':'file:///home/u/proj/new2.py'},"
            + "{'kind':'delete','uri':'file:///home/u/proj/gone.py'}]}}}");
    passesToServer("{'jsonrpc':'2.0','id':'s1','result':{'applied':true}}");
  }

  @Test
  void serverRequestsAnsweredByTheClientAreTranslatedByTheirMethod() {
    passesToClient("{'jsonrpc':'2.0','id':1,'method':'workspace/workspaceFolders'}");
    toServer("{'jsonrpc':'2.0','id':1,'result':[{'uri':'file:///home/u/proj','name':'proj'}]}",
        "{'jsonrpc':'2.0','id':1,'result':[{'uri':'file:///srv/proj','name':'proj'}]}");
  }

  @Test
  void workspaceConfigurationScopesAreTranslatedAndSettingsAreNot() {
    toClient("{'jsonrpc':'2.0','id':2,'method':'workspace/configuration','params':{'items':[{'scopeUri':'file:///srv/proj','section':'pylsp'}]}}",
        "{'jsonrpc':'2.0','id':2,'method':'workspace/configuration','params':{'items':[{'scopeUri':'file:///home/u/proj','section':'pylsp'}]}}");
    passesToServer("{'jsonrpc':'2.0','id':2,'result':[{'plugins':{'jedi':{'extra_paths':['/home/u/proj/lib']}}}]}");
  }

  @Test
  void registerCapabilityTranslatesOptionsByTheRegisteredMethod() {
    toClient("{'jsonrpc':'2.0','id':3,'method':'client/registerCapability','params':{'registrations':["
            + "{'id':'w','method':'workspace/didChangeWatchedFiles','registerOptions':{'watchers':["
            + "{'globPattern':{'baseUri':'file:///srv/proj','pattern':'**/*.py'}},"
            + "{'globPattern':{'baseUri':{'uri':'file:///srv/proj/sub','name':'sub'},'pattern':'*.toml'}},"
            + "{'globPattern':'**/*.cfg'}]}},"
            + "{'id':'x','method':'workspace/executeCommand','registerOptions':{'commands':['file:///srv/proj']}}]}}",
        "{'jsonrpc':'2.0','id':3,'method':'client/registerCapability','params':{'registrations':["
            + "{'id':'w','method':'workspace/didChangeWatchedFiles','registerOptions':{'watchers':["
            + "{'globPattern':{'baseUri':'file:///home/u/proj','pattern':'**/*.py'}},"
            + "{'globPattern':{'baseUri':{'uri':'file:///home/u/proj/sub','name':'sub'},'pattern':'*.toml'}},"
            + "{'globPattern':'**/*.cfg'}]}},"
            + "{'id':'x','method':'workspace/executeCommand','registerOptions':{'commands':['file:///srv/proj']}}]}}");
    passesToServer("{'jsonrpc':'2.0','id':3,'result':null}");
  }

  @Test
  void showDocumentIsTranslated() {
    toClient("{'jsonrpc':'2.0','id':4,'method':'window/showDocument','params':{'uri':'file:///srv/proj/a.py','takeFocus':true}}",
        "{'jsonrpc':'2.0','id':4,'method':'window/showDocument','params':{'uri':'file:///home/u/proj/a.py','takeFocus':true}}");
  }

  // --- passthrough ------------------------------------------------------------------------------------

  @Test
  void cancelRequestPassesBothWays() {
    passesToServer("{'jsonrpc':'2.0','method':'$/cancelRequest','params':{'id':4}}");
    passesToClient("{'jsonrpc':'2.0','method':'$/cancelRequest','params':{'id':'s1'}}");
  }

  @Test
  void unknownMethodsPassEvenWithUriLookingStrings() {
    passesToServer("{'jsonrpc':'2.0','id':11,'method':'pylsp/custom','params':{'uri':'file:///home/u/proj/a.py'}}");
    passesToClient("{'jsonrpc':'2.0','id':11,'result':{'uri':'file:///srv/proj/a.py'}}");
    passesToClient("{'jsonrpc':'2.0','method':'custom/notify','params':{'textDocument':{'uri':'file:///srv/proj/a.py'}}}");
  }

  @Test
  void executeCommandArgumentsAreLspAnyAndPassUnchanged() {
    passesToServer("{'jsonrpc':'2.0','id':12,'method':'workspace/executeCommand','params':"
        + "{'command':'pylsp.organize','arguments':['file:///home/u/proj/a.py',{'uri':'file:///home/u/proj/a.py'}]}}");
  }

  @Test
  void workDoneProgressPasses() {
    passesToClient("{'jsonrpc':'2.0','id':'c','method':'window/workDoneProgress/create','params':{'token':'t1'}}");
    passesToServer("{'jsonrpc':'2.0','id':'c','result':null}");
    passesToClient("{'jsonrpc':'2.0','method':'$/progress','params':{'token':'t1','value':{'kind':'begin','title':'Indexing file:///srv/proj'}}}");
  }

  @Test
  void partialResultsInProgressAreTranslatedByTheAnnouncingRequest() {
    toServer("{'jsonrpc':'2.0','id':13,'method':'textDocument/references','params':{'textDocument':{'uri':'file:///home/u/proj/a.py'},"
            + "'position':{'line':0,'character':0},'context':{'includeDeclaration':false},'partialResultToken':'p1'}}",
        "{'jsonrpc':'2.0','id':13,'method':'textDocument/references','params':{'textDocument':{'uri':'file:///srv/proj/a.py'},"
            + "'position':{'line':0,'character':0},'context':{'includeDeclaration':false},'partialResultToken':'p1'}}");
    toClient("{'jsonrpc':'2.0','method':'$/progress','params':{'token':'p1','value':[{'uri':'file:///srv/proj/b.py','range':" + R + "}]}}",
        "{'jsonrpc':'2.0','method':'$/progress','params':{'token':'p1','value':[{'uri':'file:///home/u/proj/b.py','range':" + R + "}]}}");
    passesToClient("{'jsonrpc':'2.0','id':13,'result':[]}");
    // The token is retired with the response.
    passesToClient("{'jsonrpc':'2.0','method':'$/progress','params':{'token':'p1','value':[{'uri':'file:///srv/proj/b.py','range':" + R + "}]}}");
    assertEquals(0, rewriter.pendingRequests());
  }

  @Test
  void nullResultPasses() {
    request(14, "textDocument/definition");
    passesToClient("{'jsonrpc':'2.0','id':14,'result':null}");
    assertEquals(0, rewriter.pendingRequests());
  }

  @Test
  void errorResponsePassesAndRetiresTheRequest() {
    request(15, "textDocument/definition");
    passesToClient("{'jsonrpc':'2.0','id':15,'error':{'code':-32800,'message':'cancelled file:///srv/proj/a.py'}}");
    assertEquals(0, rewriter.pendingRequests());
    passesToClient("{'jsonrpc':'2.0','id':null,'error':{'code':-32700,'message':'parse error'}}");
  }

  @Test
  void messageWithNothingToRewriteComesBackAsTheSameBytes() {
    // Odd spacing, escapes and number spellings: all of it must survive untouched.
    passesToServer("{ \"jsonrpc\" : \"2.0\", \"id\" : 1.0, \"method\" : \"textDocument/hover\", \"params\" : {"
        + "\"textDocument\": {\"uri\": \"untitled:Untitled-1\"}, \"position\": {\"line\": 1e0, \"character\": 0},"
        + " \"x\": \"\\u00e9\\/<>\" } }\n");
    passesToServer("{'jsonrpc':'2.0','method':'textDocument/didSave','params':{'textDocument':{'uri':'file:///elsewhere/x.py'}}}");
    passesToServer("not json at all {");
    passesToServer("[]");
    passesToServer("42");
  }

  @Test
  void batchesAreRewrittenElementByElement() {
    toServer("[{'jsonrpc':'2.0','method':'textDocument/didClose','params':{'textDocument':{'uri':'file:///home/u/proj/a.py'}}},"
            + "{'jsonrpc':'2.0','method':'$/cancelRequest','params':{'id':1}},7]",
        "[{'jsonrpc':'2.0','method':'textDocument/didClose','params':{'textDocument':{'uri':'file:///srv/proj/a.py'}}},"
            + "{'jsonrpc':'2.0','method':'$/cancelRequest','params':{'id':1}},7]");
    passesToServer("[{'jsonrpc':'2.0','method':'$/cancelRequest','params':{'id':1}},{'jsonrpc':'2.0','method':'initialized','params':{}}]");
  }

  // --- ids, spelling, encoding ----------------------------------------------------------------------

  @Test
  void idsKeepTheirTypeAndNumberAndStringIdsAreDifferentRequests() {
    toServer("{'jsonrpc':'2.0','id':'1','method':'workspace/symbol','params':{'query':''}}",
        "{'jsonrpc':'2.0','id':'1','method':'workspace/symbol','params':{'query':''}}");
    request(1, "textDocument/documentLink");
    // Answer the string id with a symbol; had it been taken for the number id, 'target' would be
    // translated and 'location' would not.
    toClient("{'jsonrpc':'2.0','id':'1','result':[{'name':'x','kind':1,'location':{'uri':'file:///srv/proj/s.py'},'target':'file:///srv/proj/t'}]}",
        "{'jsonrpc':'2.0','id':'1','result':[{'name':'x','kind':1,'location':{'uri':'file:///home/u/proj/s.py'},'target':'file:///srv/proj/t'}]}");
    toClient("{'jsonrpc':'2.0','id':1,'result':[{'range':" + R + ",'target':'file:///srv/proj/t'}]}",
        "{'jsonrpc':'2.0','id':1,'result':[{'range':" + R + ",'target':'file:///home/u/proj/t'}]}");
  }

  @Test
  void clientAndServerIdsAreSeparateNamespaces() {
    request(1, "textDocument/definition");
    passesToClient("{'jsonrpc':'2.0','id':1,'method':'workspace/workspaceFolders'}");
    toServer("{'jsonrpc':'2.0','id':1,'result':[{'uri':'file:///home/u/proj','name':'p'}]}",
        "{'jsonrpc':'2.0','id':1,'result':[{'uri':'file:///srv/proj','name':'p'}]}");
    toClient("{'jsonrpc':'2.0','id':1,'result':{'uri':'file:///srv/proj/a.py','range':" + R + "}}",
        "{'jsonrpc':'2.0','id':1,'result':{'uri':'file:///home/u/proj/a.py','range':" + R + "}}");
    assertEquals(0, rewriter.pendingRequests());
  }

  @Test
  void segmentBoundaryIsRespected() {
    passesToServer("{'jsonrpc':'2.0','method':'textDocument/didClose','params':{'textDocument':{'uri':'file:///home/u/project2/a.py'}}}");
  }

  @Test
  void theEditorGetsItsOwnSpellingBack() {
    LspRewriter spaced = LspRewriter.builder(PathMapper.parse(List.of("/home/u/My Proj=/srv/My Proj"))).build();
    String editorUri = "file:///home/u/My%20Proj/caf%C3%A9.py";
    assertEquals(json("{'method':'textDocument/didOpen','params':{'textDocument':{'uri':'file:///srv/My%20Proj/caf%C3%A9.py','text':''}}}"),
        text(spaced.clientToServer(bytes("{'method':'textDocument/didOpen','params':{'textDocument':{'uri':'" + editorUri + "','text':''}}}"))));
    spaced.clientToServer(bytes("{'id':1,'method':'textDocument/definition','params':{'textDocument':{'uri':'" + editorUri + "'},'position':{'line':0,'character':0}}}"));
    // The server spells the file in its own way (raw space, raw UTF-8): the editor still sees its own.
    assertEquals(json("{'id':1,'result':{'uri':'" + editorUri + "','range':" + R + "}}"),
        text(spaced.serverToClient(bytes("{'id':1,'result':{'uri':'file:///srv/My Proj/café.py','range':" + R + "}}"))));
  }

  @Test
  void rewrittenMessagesKeepNumbersEscapesAndNonAsciiText() {
    String in = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{\"textDocument\":"
        + "{\"uri\":\"file:///home/u/proj/é.py\",\"version\":12345678901234567890},"
        + "\"contentChanges\":[{\"text\":\"<é> \\u2028 & = 'q' \\\"\"}],\"n\":1.50,\"e\":1e3}}";
    String out = text(rewriter.clientToServer(in.getBytes(StandardCharsets.UTF_8)));
    assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{\"textDocument\":"
        + "{\"uri\":\"file:///srv/proj/%C3%A9.py\",\"version\":12345678901234567890},"
        + "\"contentChanges\":[{\"text\":\"<é> \\u2028 & = 'q' \\\"\"}],\"n\":1.50,\"e\":1e3}}", out);
  }

  @Test
  void prettyPrintedInputIsRewrittenToTheSameJson() {
    String in = "{\n  \"jsonrpc\": \"2.0\",\n  \"method\": \"textDocument/didSave\",\n  \"params\": {\n"
        + "    \"textDocument\": { \"uri\": \"file:///home/u/proj/a.py\" },\n    \"text\": \"\\u00e9\"\n  }\n}";
    String out = text(rewriter.clientToServer(in.getBytes(StandardCharsets.UTF_8)));
    assertEquals(JsonParser.parseString(in.replace("/home/u/proj", "/srv/proj")), JsonParser.parseString(out));
  }

  // --- helpers ------------------------------------------------------------------------------------

  private void request(int id, String method) {
    rewriter.clientToServer(bytes("{'jsonrpc':'2.0','id':" + id + ",'method':'" + method + "','params':"
        + "{'textDocument':{'uri':'file:///home/u/proj/a.py'},'position':{'line':0,'character':0}}}"));
  }

  private void toServer(String in, String expected) {
    assertEquals(json(expected), text(rewriter.clientToServer(bytes(in))));
  }

  private void toClient(String in, String expected) {
    assertEquals(json(expected), text(rewriter.serverToClient(bytes(in))));
  }

  private void passesToServer(String message) {
    passesToServer(rewriter, message);
  }

  private static void passesToServer(LspRewriter rewriter, String message) {
    byte[] in = bytes(message);
    assertSame(in, rewriter.clientToServer(in), message);
  }

  private void passesToClient(String message) {
    byte[] in = bytes(message);
    assertSame(in, rewriter.serverToClient(in), message);
  }

  static String json(String quoted) {
    return quoted.replace('\'', '"');
  }

  static byte[] bytes(String quoted) {
    return json(quoted).getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
