// Workspace extensions through the real agent: a small JSON-RPC program in Python (/usr/bin/python3)
// declared in a workspace's .tether/extensions.json, in both framings, through vscode-jsonrpc.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createMessageConnection } from 'vscode-jsonrpc';
import { AgentHome } from './agent.js';
import { ErrorCode, Session, TetherError, listExtensions, openExtension } from '../src/index.js';

const EXTENSION = `import json, os, sys
framing = sys.argv[1]
source, sink = sys.stdin.buffer, sys.stdout.buffer
def read():
    if framing == "newline":
        line = source.readline()
        return json.loads(line) if line else None
    length = None
    while True:
        header = source.readline()
        if not header:
            return None
        if not header.strip():
            break
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return json.loads(source.read(length))
def write(message):
    body = json.dumps(message).encode()
    sink.write(body + b"\\n" if framing == "newline" else b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body)
    sink.flush()
while True:
    message = read()
    if message is None:
        break
    if message.get("method") == "greet":
        write({"jsonrpc": "2.0", "id": message["id"], "result": {"text": "hello " + message["params"]["name"],
               "framing": framing, "cwd": os.getcwd(), "TONE": os.environ.get("TONE")}})
`;

function workspace(home: AgentHome, manifest: unknown): string {
  const dir = join(home.home, 'workspace');
  mkdirSync(join(dir, '.tether'), { recursive: true });
  writeFileSync(join(dir, 'greeter.py'), EXTENSION);
  writeFileSync(join(dir, '.tether', 'extensions.json'), JSON.stringify(manifest));
  return dir;
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

test('ext: declared extensions answer through vscode-jsonrpc in both framings and end with their channel', async () => {
  const home = new AgentHome();
  const transport = home.stdio();
  try {
    const session = await Session.connect(transport);
    const dir = workspace(home, { extensions: [
      { name: 'greeter', argv: ['/usr/bin/python3', 'greeter.py', 'content-length'] },
      { name: 'greeter-lines', argv: ['/usr/bin/python3', 'greeter.py', 'newline'], framing: 'newline', env: { TONE: 'warm' } },
    ] });
    for (const [name, framing] of [['greeter', 'content-length'], ['greeter-lines', 'newline']] as const) {
      const ext = await openExtension(session, { workspace: dir, name });
      assert.equal(ext.extension.framing, framing);
      assert.ok(ext.extension.pid > 0 && !gone(ext.extension.pid));
      const connection = createMessageConnection(ext.reader, ext.writer);
      connection.listen();
      const answer = await connection.sendRequest<{ text: string; framing: string; cwd: string; TONE: string | null }>(
        'greet', { name: 'caf\u00e9' });
      assert.deepEqual(answer, { text: 'hello caf\u00e9', framing, cwd: dir, TONE: name === 'greeter-lines' ? 'warm' : null });
      ext.writer.end(); // its stdin ends, it exits, and the agent ends the channel
      await ext.channel.channel.done;
      connection.dispose();
      const deadline = Date.now() + 30000;
      while (!gone(ext.extension.pid)) {
        assert.ok(Date.now() < deadline, `pid ${ext.extension.pid} outlived its channel`);
        await new Promise((r) => setTimeout(r, 50)); // polling the pid, bounded: no event says a process ended
      }
    }
    await session.close();
    await transport.exited;
  } finally {
    await home.cleanup();
  }
});

test('ext: listExtensions, and a manifest error or an unknown name refused naming the file and the field', async () => {
  const home = new AgentHome();
  const transport = home.stdio();
  try {
    const session = await Session.connect(transport);
    const dir = workspace(home, { extensions: [
      { name: 'greeter', argv: ['/usr/bin/python3', 'greeter.py', 'newline'], framing: 'newline' },
      { name: 'fmt', argv: 'black -' },
    ] });
    const manifest = join(dir, '.tether', 'extensions.json');
    const list = await listExtensions(session, dir);
    assert.equal(list.manifest, manifest);
    assert.equal(list.exists, true);
    assert.deepEqual(list.extensions, [{ name: 'greeter', argv: ['/usr/bin/python3', 'greeter.py', 'newline'], cwd: dir, framing: 'newline' }]);
    assert.deepEqual(list.problems, [`${manifest}: extension "fmt": "argv" must be a non-empty array of strings`]);
    await assert.rejects(openExtension(session, { workspace: dir, name: 'fmt' }), (e: TetherError) =>
      e.code === ErrorCode.CHANNEL_REFUSED && e.reason === `${manifest}: extension "fmt": "argv" must be a non-empty array of strings`);
    await assert.rejects(openExtension(session, { workspace: dir, name: 'nope' }), (e: TetherError) =>
      e.code === ErrorCode.CHANNEL_REFUSED && e.reason === `${manifest}: no extension "nope"; it declares greeter, fmt`);
    const byArgv = await openExtension(session, { command: ['/usr/bin/python3', join(dir, 'greeter.py'), 'newline'], framing: 'newline', cwd: dir });
    assert.equal(byArgv.extension.name, 'python3');
    byArgv.channel.channel.reset(ErrorCode.CANCELLED, 'the test is done with it');
    await session.close();
    await transport.exited;
  } finally {
    await home.cleanup();
  }
});
