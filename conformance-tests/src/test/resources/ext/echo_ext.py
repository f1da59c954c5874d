#!/usr/bin/python3
"""A small JSON-RPC workspace extension for the tests, in either framing (argv[1]: content-length or newline).

Methods: echo (answers its params), where (cwd and $GREETING), argv (its argv), stderr (writes params.text
to stderr), spawn (double-forks a `sleep 1000` and answers its pid; from then on it ignores the end of its
stdin and SIGTERM, so only its process group's end stops it), die (writes params.text to stderr, exits
with params.status).
"""
import json
import os
import signal
import sys
import time

framing = sys.argv[1] if len(sys.argv) > 1 else "content-length"
source, sink = sys.stdin.buffer, sys.stdout.buffer
linger = False


def read():
    if framing == "newline":
        line = source.readline()
        return json.loads(line) if line else None
    length = None
    while True:
        header = source.readline()
        if not header:
            return None
        header = header.strip()
        if not header:
            break
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return json.loads(source.read(length))


def write(message):
    body = json.dumps(message).encode()
    if framing == "newline":
        sink.write(body + b"\n")
    else:
        sink.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sink.flush()


def double_fork_sleep():
    reader, writer = os.pipe()
    if os.fork() == 0:
        os.close(reader)
        if os.fork() == 0:
            os.write(writer, str(os.getpid()).encode())
            os.close(writer)
            devnull = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.execv("/bin/sleep", ["sleep", "1000"])
        os._exit(0)
    os.close(writer)
    pid = int(os.read(reader, 32))
    os.close(reader)
    return pid


print("echo extension up, framing " + framing, file=sys.stderr, flush=True)
while True:
    message = read()
    if message is None:
        break
    method, params = message.get("method"), message.get("params") or {}
    if method == "echo":
        result = message.get("params")
    elif method == "where":
        result = {"cwd": os.getcwd(), "GREETING": os.environ.get("GREETING")}
    elif method == "argv":
        result = sys.argv
    elif method == "stderr":
        print(params["text"], file=sys.stderr, flush=True)
        result = None
    elif method == "spawn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        linger = True
        result = {"pid": os.getpid(), "grandchild": double_fork_sleep()}
    elif method == "die":
        print(params["text"], file=sys.stderr, flush=True)
        sys.exit(params["status"])
    else:
        if "id" in message:
            write({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "no method " + str(method)}})
        continue
    write({"jsonrpc": "2.0", "id": message["id"], "result": result})

while linger:
    time.sleep(1000)
