"""LSP base-protocol framing on this process's stdin and stdout, for the tests' scripted language
servers (copied beside each one). Standard library only."""
import json
import sys

out = sys.stdout.buffer
inp = sys.stdin.buffer


def send(message):
    body = json.dumps(message).encode()
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()


def read():
    """The next message, or None at the end of stdin."""
    length = None
    while True:
        line = inp.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return json.loads(inp.read(length))
