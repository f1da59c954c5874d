// Resumption (§2.4, §8) against the real agent daemon: the session is reached through
// `tether-remote stdio --daemon` relays, as the SSH bootstrap does; killing a relay drops the transport,
// and a new relay resumes the session with nothing lost.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { AgentHome } from './agent.js';
import { ErrorCode, FsClient, Session, TetherError } from '../src/index.js';
import type { ProcessTransport } from '../src/node.js';

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function detached(session: Session): Promise<string> {
  return new Promise((resolve) => session.on('detached', resolve));
}

test('download: the relay is killed mid-transfer, a new one resumes, every byte arrives once', async () => {
  const home = new AgentHome();
  try {
    await home.daemon();
    const content = randomBytes(16 * 1024 * 1024);
    const file = join(home.home, 'big.bin');
    writeFileSync(file, content);
    const first = home.relay();
    const session = await Session.connect(first);
    assert.ok(session.resumable);
    const fs = new FsClient(session);
    const channel = await fs.openRead(file);
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < 4 * 1024 * 1024) {
      const chunk = (await channel.read())!;
      parts.push(chunk);
      got += chunk.length;
    }
    const lost = detached(session);
    process.kill(first.pid!, 'SIGKILL');
    const reason = await lost;
    assert.match(reason, /the transport ended|read failed|write failed/); // the §10.5 detach reasons
    assert.equal(session.state, 'detached');
    const whileDetached = fs.stat(file); // queued while detached, sent after the resume
    const second = home.relay();
    await session.resume(second);
    assert.equal(session.state, 'attached');
    for (;;) {
      const chunk = await channel.read();
      if (chunk === null) break;
      parts.push(chunk);
    }
    const all = Buffer.concat(parts);
    assert.equal(all.length, content.length);
    assert.equal(sha(all), sha(content));
    assert.equal((await whileDetached).size, content.length);
    await session.close();
    await second.exited;
  } finally {
    await home.cleanup();
  }
});

test('upload with automatic reconnect: the relay dies mid-write, the file arrives whole', async () => {
  const home = new AgentHome();
  try {
    await home.daemon();
    const relays: ProcessTransport[] = [home.relay()];
    const session = await Session.connect(relays[0], {
      reconnect: async () => {
        const r = home.relay();
        relays.push(r);
        return r;
      },
    });
    const resumed = new Promise<void>((resolve) => session.on('resumed', resolve));
    const content = randomBytes(8 * 1024 * 1024);
    const file = join(home.home, 'up.bin');
    const channel = await session.open('fs.write', { path: file });
    for (let at = 0; at < content.length; at += 256 * 1024) {
      await channel.write(content.subarray(at, at + 256 * 1024));
      if (at === 2 * 1024 * 1024) process.kill(relays[0].pid!, 'SIGKILL');
    }
    channel.end();
    assert.equal(await channel.read(), null);
    await resumed;
    assert.ok(relays.length >= 2, 'the session never reconnected');
    assert.equal(sha(readFileSync(file)), sha(content));
    await session.close();
  } finally {
    await home.cleanup();
  }
});

test('dead peer: a relay that stops answering is detected by keepalive, and the session resumes', async () => {
  const home = new AgentHome();
  try {
    await home.daemon();
    const first = home.relay();
    const session = await Session.connect(first, { tickIntervalMs: 50, pingIntervalMs: 100, deadPeerTimeoutMs: 1000 });
    const lost = detached(session);
    process.kill(first.pid!, 'SIGSTOP'); // alive but silent, like a half-open connection
    assert.equal(await lost, 'no answer from the peer for 1 s');
    process.kill(first.pid!, 'SIGKILL');
    await session.resume(home.relay());
    const fs = new FsClient(session);
    assert.equal((await fs.stat(home.home)).type, 'directory');
    await session.close();
  } finally {
    await home.cleanup();
  }
});

test('a session the agent no longer knows is refused with UNKNOWN_SESSION and closed for good', async () => {
  const home = new AgentHome();
  try {
    const daemon = await home.daemon();
    const first = home.relay();
    const session = await Session.connect(first);
    const lost = detached(session);
    const exited = new Promise((resolve) => daemon.once('exit', resolve));
    process.kill(daemon.pid!, 'SIGKILL'); // the agent restarts: its sessions are gone
    await exited;
    await lost;
    await home.daemon();
    await assert.rejects(session.resume(home.relay()),
      (e: TetherError) => e.code === ErrorCode.UNKNOWN_SESSION && /is not known here/.test(e.reason) && e.reason.includes(session.sessionIdHex));
    assert.equal(session.state, 'closed');
    await assert.rejects(session.open('fs'), (e: TetherError) => e.code === ErrorCode.UNKNOWN_SESSION);
  } finally {
    await home.cleanup();
  }
});

test('tether-remote stdio alone cannot be resumed: it ends with its stdin, a fresh one does not know the session', async () => {
  const home = new AgentHome();
  try {
    const first = home.stdio();
    const session = await Session.connect(first);
    assert.ok(session.resumable); // it advertises resume ...
    const lost = detached(session);
    first.close(); // ... but its stdin was its only way in
    await lost;
    assert.equal(await first.exited, 0);
    await assert.rejects(session.resume(home.stdio()), (e: TetherError) => e.code === ErrorCode.UNKNOWN_SESSION);
    assert.equal(session.state, 'closed');
  } finally {
    await home.cleanup();
  }
});
