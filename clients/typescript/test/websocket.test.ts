// The WebSocket transport over the standard API (here the `ws` package's class, as Node 20 has no global
// WebSocket), against a small `ws` server that relays binary messages to a real `tether-remote stdio`.
// The server splits the agent's output at arbitrary points: message boundaries carry no meaning (§1).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { AgentHome } from './agent.js';
import { ExecClient, FsClient, Session, WebSocketTransport, fromUtf8, type WebSocketConstructor } from '../src/index.js';

interface Seen { protocols: string[]; largestMessage: number }

async function relayServer(home: AgentHome, onConnection?: (socket: WebSocket) => void): Promise<{ url: string; seen: Seen; close: () => Promise<void> }> {
  const seen: Seen = { protocols: [], largestMessage: 0 };
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0,
    handleProtocols: (offered) => {
      seen.protocols = [...offered];
      return offered.has('tether.v1') ? 'tether.v1' : false;
    } });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    if (onConnection) return onConnection(socket);
    const agent = home.stdio();
    agent.start({
      data: (chunk) => {
        const cut = Math.floor(chunk.length / 3);
        if (cut > 0) socket.send(chunk.subarray(0, cut));
        socket.send(chunk.subarray(cut));
      },
      end: () => socket.close(1000, 'agent ended'),
    });
    socket.on('message', (data: Buffer) => {
      seen.largestMessage = Math.max(seen.largestMessage, data.length);
      agent.write(new Uint8Array(data));
    });
    socket.on('close', () => agent.close());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    seen,
    close: () => new Promise((resolve) => {
      for (const c of server.clients) c.terminate();
      server.close(() => resolve());
    }),
  };
}

test('websocket: handshake, a file read and a process run through binary messages', async () => {
  const home = new AgentHome();
  const server = await relayServer(home);
  try {
    const token = 'ab'.repeat(32);
    const transport = await WebSocketTransport.connect(server.url, { token, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const session = await Session.connect(transport);
    assert.match(session.peerHello.agent, /^tether-remote\//);
    assert.deepEqual(server.seen.protocols, ['tether.v1', `tether.token.${token}`]);
    const file = join(home.home, 'note.txt');
    writeFileSync(file, 'over a WebSocket\n');
    const fs = new FsClient(session);
    assert.equal(fromUtf8(await fs.readFile(file)), 'over a WebSocket\n');
    const exec = await ExecClient.open(session);
    assert.deepEqual(await exec.run({ argv: ['echo', 'hi'] }), { exitCode: 0, stdout: 'hi\n', stderr: '' });
    await fs.writeFile(join(home.home, 'big.bin'), new Uint8Array(1024 * 1024).fill(7));
    assert.ok(server.seen.largestMessage > 0 && server.seen.largestMessage <= 65536,
      `a message of ${server.seen.largestMessage} bytes exceeds the endpoint's 64 KiB`);
    exec.close();
    await fs.close();
    await session.close();
  } finally {
    await server.close();
    await home.cleanup();
  }
});

test('websocket: a text message is not part of the protocol and ends the transport with a reason', async () => {
  const home = new AgentHome();
  const server = await relayServer(home, (socket) => socket.send('HTTP/1.1 oops'));
  try {
    const transport = await WebSocketTransport.connect(server.url, { WebSocket: WebSocket as unknown as WebSocketConstructor });
    await assert.rejects(Session.connect(transport, { handshakeTimeoutMs: 5000 }),
      /peer closed the connection before sending the Tether preamble \(the peer sent a text WebSocket message on ws:.*binary messages only\)/);
  } finally {
    await server.close();
    await home.cleanup();
  }
});

test('websocket: a connection refused is an error naming the URL', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  await assert.rejects(WebSocketTransport.connect(`ws://127.0.0.1:${port}/`, { WebSocket: WebSocket as unknown as WebSocketConstructor }),
    new RegExp(`cannot open a WebSocket to ws://127.0.0.1:${port}/`));
});
