// The WebSocket transport against the real endpoint, `tether-remote serve` (PROTOCOL.md §14): the token in
// the subprotocol list as a browser sends it, a wrong token refused in the upgrade, and a session whose
// WebSocket was cut resumed on a new one with nothing lost.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { AgentHome } from './agent.js';
import { ExecClient, FsClient, Session, WebSocketTransport, fromUtf8, type WebSocketConstructor } from '../src/index.js';

const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

test('serve: handshake, a file read and a process run over the real endpoint with the token', async () => {
  const home = new AgentHome();
  try {
    const { url, token } = await home.serve();
    const session = await Session.connect(await WebSocketTransport.connect(url, { token, WebSocket: NodeWebSocket }));
    assert.match(session.peerHello.agent, /^tether-remote\//);
    const file = join(home.home, 'note.txt');
    writeFileSync(file, 'through tether-remote serve\n');
    const fs = new FsClient(session);
    assert.equal(fromUtf8(await fs.readFile(file)), 'through tether-remote serve\n');
    const exec = await ExecClient.open(session);
    assert.deepEqual(await exec.run({ argv: ['echo', 'hi'] }), { exitCode: 0, stdout: 'hi\n', stderr: '' });
    exec.close();
    await fs.close();
    await session.close();
  } finally {
    await home.cleanup();
  }
});

test('serve: a wrong token is refused before anything is served', async () => {
  const home = new AgentHome();
  try {
    const { url } = await home.serve();
    await assert.rejects(WebSocketTransport.connect(url, { token: 'cd'.repeat(32), WebSocket: NodeWebSocket }),
      /cannot open a WebSocket to ws:/);
  } finally {
    await home.cleanup();
  }
});

test('serve: the WebSocket is cut mid-download, a new one resumes the session, every byte arrives once', async () => {
  const home = new AgentHome();
  try {
    const { url, token } = await home.serve();
    const content = randomBytes(8 * 1024 * 1024);
    const file = join(home.home, 'big.bin');
    writeFileSync(file, content);
    const first = await WebSocketTransport.connect(url, { token, WebSocket: NodeWebSocket });
    const session = await Session.connect(first);
    assert.ok(session.resumable);
    const fs = new FsClient(session);
    const channel = await fs.openRead(file);
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < 2 * 1024 * 1024) {
      const chunk = (await channel.read())!;
      parts.push(chunk);
      got += chunk.length;
    }
    const lost = new Promise<string>((resolve) => session.on('detached', resolve));
    first.close();
    await lost;
    await session.resume(await WebSocketTransport.connect(url, { token, WebSocket: NodeWebSocket }));
    assert.equal(session.state, 'attached');
    for (;;) {
      const chunk = await channel.read();
      if (chunk === null) break;
      parts.push(chunk);
    }
    const all = Buffer.concat(parts);
    assert.equal(all.length, content.length);
    assert.equal(sha(all), sha(content));
    await session.close();
  } finally {
    await home.cleanup();
  }
});
