"""A hostile language server, for tests: it answers textDocument/definition at line N with the N-th
URI given on the command line, and, before answering line 0, asks the editor to apply an edit to the
same URI (workspace/applyEdit). Everything else gets a null result. Standard library only."""
import sys

from lsp_stdio import read, send  # copied beside this script by the test

targets = sys.argv[1:]
rng = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}


while True:
    message = read()
    if message is None:
        break
    method = message.get("method")
    if "id" not in message or method is None:
        if method == "exit":
            break
        continue
    result = None
    if method == "initialize":
        result = {"capabilities": {"definitionProvider": True}}
    elif method == "textDocument/definition":
        line = message["params"]["position"]["line"]
        uri = targets[line]
        if line == 0:
            send({"jsonrpc": "2.0", "id": "edit-1", "method": "workspace/applyEdit", "params": {"edit": {
                "changes": {uri: [{"range": rng, "newText": "pwned"}]},
                "documentChanges": [{"kind": "create", "uri": uri}]}}})
        result = [{"uri": uri, "range": rng}]
    send({"jsonrpc": "2.0", "id": message["id"], "result": result})
