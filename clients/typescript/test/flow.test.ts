// Credit windows against the real agent (§6): a small receive window holds the agent back, the agent's
// window holds this side back, and one stalled channel does not hold up another.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { AgentHome } from './agent.js';
import { FsClient, Session } from '../src/index.js';
import type { ProcessTransport } from '../src/node.js';

const WINDOW = 16384;
let home: AgentHome;
let transport: ProcessTransport;
let session: Session;

before(async () => {
  home = new AgentHome();
  transport = home.stdio();
  session = await Session.connect(transport, { initialWindow: WINDOW });
});

after(async () => {
  await session?.close();
  await transport?.exited;
  await home?.cleanup();
});

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test('download with a 16 KiB window: never more buffered than granted, every byte arrives', async () => {
  const content = randomBytes(8 * 1024 * 1024);
  const file = join(home.home, 'big.bin');
  writeFileSync(file, content);
  const fs = new FsClient(session);
  const channel = await fs.openRead(file);
  assert.equal(JSON.parse(channel.metadata).size, content.length);
  const parts: Uint8Array[] = [];
  let maxBuffered = 0;
  for (let reads = 1; ; reads++) {
    if (reads % 50 === 0) {
      // Stop reading until the agent has used up the window it was granted (or ended): it must stop there.
      while (channel.recvWindow > 0 && !channel.inFinished) await new Promise((r) => setTimeout(r, 1));
    }
    maxBuffered = Math.max(maxBuffered, channel.inBytes);
    assert.ok(channel.inBytes <= WINDOW, `${channel.inBytes} bytes buffered with a window of ${WINDOW}`);
    const chunk = await channel.read();
    if (chunk === null) break;
    parts.push(chunk);
  }
  const got = Buffer.concat(parts);
  assert.equal(got.length, content.length);
  assert.equal(sha(got), sha(content));
  assert.ok(maxBuffered > 0, 'the agent never got ahead of the reader: the test did not exercise the window');
  await fs.close();
});

test('upload of 8 MiB waits for the agent\'s credit and arrives whole', async () => {
  const content = randomBytes(8 * 1024 * 1024);
  const file = join(home.home, 'up.bin');
  const channel = await session.open('fs.write', { path: file });
  const window = channel.sendWindow;
  assert.ok(window < content.length, `the agent granted ${window} bytes, more than the test sends`);
  for (let at = 0; at < content.length; at += 100000) await channel.write(content.subarray(at, at + 100000));
  channel.end();
  assert.equal(await channel.read(), null); // the agent ends its side once the file is in place
  assert.ok(channel.windowStalls > 0, 'the writer never waited for credit');
  assert.equal(sha(readFileSync(file)), sha(content));
});

test('a stalled channel does not block another: a request is answered while a full window waits', async () => {
  const file = join(home.home, 'stall.bin');
  writeFileSync(file, randomBytes(1024 * 1024));
  const fs = new FsClient(session);
  const stalled = await fs.openRead(file);
  while (stalled.inBytes < WINDOW) {
    await turn(); // nobody reads it: its window fills
  }
  const stat = await fs.stat(file);
  assert.equal(stat.size, 1024 * 1024);
  assert.equal(stalled.inBytes, WINDOW);
  stalled.reset();
  await fs.close();
});

test('keepalive: PINGs are answered with PONGs and the round-trip time is measured', async () => {
  const rtt = await new Promise<number>((resolve) => {
    session.on('pong', resolve);
    session.ping();
  });
  assert.ok(rtt >= 0 && session.rttMs === rtt);
});
