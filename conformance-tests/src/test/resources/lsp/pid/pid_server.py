"""A language server for tests that tells the editor what it was told: `initialize` is answered with
serverInfo.version = "PROCESS_ID AGENT_PID", the processId it received and the pid of its nearest
ancestor that is the tether agent (found through /proc). shutdown gets null, exit ends it. Standard
library only."""
import os
import sys

from lsp_stdio import read, send  # copied beside this script by the test


def agent_ancestor():
    pid = os.getppid()
    while pid > 1:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmdline = f.read()
        if b"dev.tether.remote.TetherRemote" in cmdline or b"tether-remote.jar" in cmdline:
            return pid
        with open("/proc/%d/stat" % pid) as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    return None


while True:
    message = read()
    if message is None:
        break
    method = message.get("method")
    if method == "exit":
        sys.exit(0)
    if "id" not in message or method is None:
        continue
    result = None
    if method == "initialize":
        seen = message["params"].get("processId")
        result = {"capabilities": {}, "serverInfo": {"name": "pid-server", "version": "%s %s" % (seen, agent_ancestor())}}
    send({"jsonrpc": "2.0", "id": message["id"], "result": result})
