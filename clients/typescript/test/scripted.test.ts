// Protocol logic against a scripted acceptor in memory: what the real agent never does on purpose
// (window overrun, unknown frame type, sequence gap, a foreign peer, an OPEN from the acceptor) and the
// exact frames of a resume. The scripted peer is written from PROTOCOL.md with this package's encoders.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, Flavour, FrameType, Session, TetherError, concat, decodeError, decodeHelloBody, decodeOpen,
  encodeError, encodeFrame, encodeHello, encodeOpen, u32, utf8, type ByteTransport, type Hello,
  type TransportHandlers } from '../src/index.js';

interface Parsed { type: number; channel: number; seq: bigint; ack: bigint; payload: Uint8Array }

/** One end of an in-memory transport; the test plays the acceptor on the other end. */
class ScriptedPeer implements ByteTransport {
  readonly description = 'scripted peer';
  private handlers?: TransportHandlers;
  private inbox: Uint8Array = new Uint8Array(0);
  private waiters: (() => void)[] = [];
  closed = false;
  hello?: Hello;
  seq = 0n;
  received = 0n;

  /** While set, writes are taken but the writer is told to wait (a peer that does not read). */
  stalled = false;

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.closed) return;
    if (this.stalled) return new Promise(() => undefined);
    this.inbox = concat([this.inbox, chunk]);
    for (const w of this.waiters.splice(0)) w();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
    this.handlers?.end('closed');
  }

  send(bytes: Uint8Array): void {
    this.handlers!.data(bytes);
  }

  /** Sends a frame; sequenced types get the next seq unless one is given. */
  frame(type: FrameType, channel: number, payload: Uint8Array = new Uint8Array(0), seq?: bigint): void {
    const sequenced = type <= FrameType.RESET;
    const s = seq ?? (sequenced ? ++this.seq : 0n);
    this.send(encodeFrame(type, channel, s, this.received, payload));
  }

  private async need(n: number): Promise<Uint8Array> {
    while (this.inbox.length < n) {
      if (this.closed && this.inbox.length < n) throw new Error(`transport closed with ${this.inbox.length} of ${n} bytes`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const out = this.inbox.subarray(0, n);
    this.inbox = this.inbox.subarray(n);
    return out;
  }

  async readHello(): Promise<Hello> {
    const head = await this.need(12);
    const length = new DataView(head.buffer, head.byteOffset, 12).getUint32(8);
    this.hello = decodeHelloBody(head[6], head[7], await this.need(length));
    return this.hello;
  }

  /** Answers as an acceptor: a new session, or a resume reply carrying `received`. */
  reply(received?: bigint): void {
    this.send(encodeHello({ major: 1, minor: 0, agent: 'scripted/1', capabilities: ['resume'], maxFrameSize: 32768,
      replayLimit: 1 << 20, sessionId: new Uint8Array(16).fill(7), resumeToken: new Uint8Array(32).fill(9), received }));
  }

  async readFrame(): Promise<Parsed> {
    const head = await this.need(26);
    const v = new DataView(head.buffer, head.byteOffset, 26);
    const f = { type: v.getUint8(0), channel: v.getUint32(2), seq: v.getBigUint64(10), ack: v.getBigUint64(18),
      payload: (await this.need(v.getUint32(6))).slice() };
    if (f.seq > this.received) this.received = f.seq;
    return f;
  }

  /** Reads frames until one of `type` (skipping ACK, PING and the like). */
  async expect(type: FrameType): Promise<Parsed> {
    for (;;) {
      const f = await this.readFrame();
      if (f.type === type) return f;
    }
  }
}

async function connected(trace?: (line: string) => void): Promise<{ peer: ScriptedPeer; session: Session }> {
  const peer = new ScriptedPeer();
  const session = Session.connect(peer, { initialWindow: 1000, pingIntervalMs: 3600000, trace });
  const hello = await peer.readHello();
  assert.equal(hello.received, undefined);
  assert.deepEqual(hello.capabilities, ['resume']);
  peer.reply();
  return { peer, session: await session };
}

/** Opens a channel on the session and accepts it on the peer with `window`. */
async function openChannel(peer: ScriptedPeer, session: Session, window: number) {
  const opening = session.open('thing', { a: 1 });
  const open = await peer.expect(FrameType.OPEN);
  assert.deepEqual(decodeOpen(open.payload), { window: 1000, flavour: Flavour.BYTES, kind: 'thing', metadata: '{"a":1}' });
  peer.frame(FrameType.OPEN_OK, open.channel, concat([u32(window), utf8('{}')]));
  return { channel: await opening, id: open.channel };
}

test('DATA beyond the granted window resets the channel with FLOW_CONTROL_ERROR (§4.4)', async () => {
  const { peer, session } = await connected();
  const { channel, id } = await openChannel(peer, session, 100);
  peer.frame(FrameType.DATA, id, new Uint8Array(1001));
  const reset = await peer.expect(FrameType.RESET);
  assert.deepEqual(decodeError(reset.payload), { code: ErrorCode.FLOW_CONTROL_ERROR,
    reason: `peer sent 1001 bytes on channel ${id} with only 1000 bytes of window left` });
  await assert.rejects(channel.read(), (e: TetherError) => e.code === ErrorCode.FLOW_CONTROL_ERROR);
  peer.frame(FrameType.DATA, id, new Uint8Array(1)); // late frame for a reset id: dropped quietly
  peer.frame(FrameType.DATA, 99, new Uint8Array(1)); // never opened: answered
  const unknown = await peer.expect(FrameType.RESET);
  assert.deepEqual([unknown.channel, decodeError(unknown.payload).reason], [99, 'DATA for channel 99, which was never opened']);
  await session.close();
});

test('the writer keeps within the peer\'s window and sends the rest on CREDIT (§6)', async () => {
  const { peer, session } = await connected();
  const { channel, id } = await openChannel(peer, session, 10);
  const written = channel.write(utf8('0123456789abcdef'));
  const first = await peer.expect(FrameType.DATA);
  assert.equal(new TextDecoder().decode(first.payload), '0123456789');
  peer.frame(FrameType.CREDIT, id, u32(100));
  const second = await peer.expect(FrameType.DATA);
  assert.equal(new TextDecoder().decode(second.payload), 'abcdef');
  await written;
  assert.equal(channel.windowStalls, 1);
  await session.close();
});

test('credit is returned as the application reads, one CREDIT per half window (§6)', async () => {
  const { peer, session } = await connected();
  const { channel, id } = await openChannel(peer, session, 100);
  peer.frame(FrameType.DATA, id, new Uint8Array(499));
  assert.equal((await channel.read())!.length, 499);
  peer.frame(FrameType.DATA, id, new Uint8Array(1));
  await channel.read();
  const credit = await peer.expect(FrameType.CREDIT);
  assert.equal(new DataView(credit.payload.buffer).getUint32(0), 500);
  await session.close();
});

test('an unknown frame type closes the session with GOAWAY PROTOCOL_ERROR (§10.3)', async () => {
  const { peer, session } = await connected();
  const closed = new Promise<TetherError>((r) => session.on('closed', r));
  peer.send(encodeFrame(0x7f as FrameType, 0, 0n, 0n, new Uint8Array(0)));
  const goaway = await peer.expect(FrameType.GOAWAY);
  assert.deepEqual(decodeError(goaway.payload), { code: ErrorCode.PROTOCOL_ERROR, reason: 'unknown frame type 0x7f' });
  assert.equal((await closed).reason, 'unknown frame type 0x7f');
  assert.ok(peer.closed);
});

test('a sequence gap closes the session (§8.2)', async () => {
  const { peer, session } = await connected();
  peer.frame(FrameType.OPEN_FAIL, 1, encodeError(5, 'x'), 5n);
  const goaway = await peer.expect(FrameType.GOAWAY);
  assert.equal(decodeError(goaway.payload).reason, 'sequence gap: expected seq 1, got 5');
  assert.equal(session.state, 'closed');
});

test('an OPEN from the acceptor is refused: this side accepts no channels (§4.1)', async () => {
  const { peer, session } = await connected();
  peer.frame(FrameType.OPEN, 2, encodeOpen(1000, Flavour.MESSAGES, 'callback', ''));
  const fail = await peer.expect(FrameType.OPEN_FAIL);
  assert.deepEqual([fail.channel, decodeError(fail.payload)], [2, { code: ErrorCode.CHANNEL_REFUSED, reason: "this side accepts no channels (kind 'callback')" }]);
  peer.frame(FrameType.OPEN, 3, encodeOpen(1000, Flavour.MESSAGES, 'callback', ''));
  const reset = await peer.expect(FrameType.RESET);
  assert.equal(decodeError(reset.payload).reason, 'OPEN with channel id 3 of the wrong parity (the acceptor uses even ids)');
  await session.close();
});

test('a foreign peer is named by what it sent (§2.5)', async () => {
  const peer = new ScriptedPeer();
  const session = Session.connect(peer);
  peer.send(utf8('bash: tether-remote: command not found\nmore'));
  await assert.rejects(session, /the peer is not a Tether agent; it sent: "bash: tether-remote: command not found"/);
});

test('resume: the hello carries id, token and received; unacknowledged frames are retransmitted with their seq (§2.4, §8.4)', async () => {
  const { peer, session } = await connected();
  const { channel, id } = await openChannel(peer, session, 1000);
  peer.frame(FrameType.DATA, id, utf8('before'));
  assert.equal(new TextDecoder().decode((await channel.read())!), 'before');
  await channel.write(utf8('one'));
  const one = await peer.expect(FrameType.DATA);
  await channel.write(utf8('two'));
  const two = await peer.expect(FrameType.DATA);
  const detached = new Promise<string>((r) => session.on('detached', r));
  peer.close(); // the transport drops; the peer "received" only up to `one`
  assert.equal(await detached, 'closed');
  const queued = channel.write(utf8('three')); // written while detached

  const next = new ScriptedPeer();
  next.seq = peer.seq;
  next.received = one.seq;
  const resuming = session.resume(next);
  const hello = await next.readHello();
  assert.deepEqual([hello.sessionId, hello.resumeToken, hello.received], [new Uint8Array(16).fill(7), new Uint8Array(32).fill(9), 2n]);
  next.reply(one.seq);
  await resuming;
  const again = await next.expect(FrameType.DATA);
  assert.deepEqual([again.seq, new TextDecoder().decode(again.payload)], [two.seq, 'two']); // same seq, same bytes
  assert.equal(again.ack, 2n); // a fresh ack
  const three = await next.expect(FrameType.DATA);
  assert.deepEqual([three.seq, new TextDecoder().decode(three.payload)], [two.seq + 1n, 'three']);
  await queued;
  next.frame(FrameType.DATA, id, utf8('before'), 2n); // a duplicate of seq 2 is dropped
  next.frame(FrameType.DATA, id, utf8('after'));
  assert.equal(new TextDecoder().decode((await channel.read())!), 'after');
  await session.close();
});

test('resume refused with UNKNOWN_SESSION closes the session for good (§2.4)', async () => {
  const { peer, session } = await connected();
  peer.close();
  const next = new ScriptedPeer();
  const resuming = session.resume(next);
  await next.readHello();
  next.send(encodeHello({ major: 1, minor: 0, agent: 'scripted/1', capabilities: [], error: { code: ErrorCode.UNKNOWN_SESSION, reason: 'gone' } }));
  await assert.rejects(resuming, (e: TetherError) => e.code === ErrorCode.UNKNOWN_SESSION && e.reason === 'gone');
  assert.equal(session.state, 'closed');
});

test('frame trace: one line per frame each way, as PROTOCOL.md §13 prints them', async () => {
  const lines: string[] = [];
  const { peer, session } = await connected((line) => lines.push(line));
  const { channel, id } = await openChannel(peer, session, 1000);
  await channel.write(utf8('hi'));
  await peer.expect(FrameType.DATA);
  assert.deepEqual(lines, [
    `>> ch=${id} OPEN len=${6 + 5 + 7} seq=1 ack=0`,
    `<< ch=${id} OPEN_OK len=6 seq=1 ack=1`,
    `>> ch=${id} DATA len=2 seq=2 ack=1`,
  ]);
  await session.close();
  assert.equal(lines.at(-1), '>> ch=0 GOAWAY len=8 ack=1');
});

test('unacknowledged output stops at the replay limit less the 64 KiB reserve, and moves on with the ack (§8.3)', async () => {
  const peer = new ScriptedPeer();
  const connecting = Session.connect(peer, { replayLimit: 131072, pingIntervalMs: 3600000 });
  await peer.readHello();
  peer.reply();
  const session = await connecting;
  const opening = session.open('bulk');
  const open = await peer.expect(FrameType.OPEN);
  peer.frame(FrameType.OPEN_OK, open.channel, u32(10 * 1024 * 1024)); // the window is not what holds it back
  const channel = await opening;
  const content = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
  const written = channel.write(content);
  const room = 131072 - 65536; // the OPEN_OK acknowledged the OPEN: the room is all DATA's
  let unacked = 0;
  let received = 0;
  while (received < content.length) {
    const f = await peer.expect(FrameType.DATA);
    assert.deepEqual(f.payload, content.subarray(received, received + f.payload.length));
    received += f.payload.length;
    unacked += 26 + f.payload.length;
    assert.ok(unacked <= room, `${unacked} bytes unacknowledged, the replay limit allows ${room}`);
    if (unacked === room) {
      assert.equal(session.stats().heldBytes, 131072 - 65536);
      peer.send(encodeFrame(FrameType.ACK, 0, 0n, peer.received, new Uint8Array(0)));
      unacked = 0; // frames after this one were written after the ACK was processed
    }
  }
  await written;
  await session.close();
});

test('a peer that sends PINGs but reads no PONGs closes the session at the control queue limit (§10.3)', async () => {
  const { peer, session } = await connected();
  const closed = new Promise<TetherError>((r) => session.on('closed', r));
  peer.stalled = true;
  const ping = encodeFrame(FrameType.PING, 0, 0n, 0n, new Uint8Array(8));
  for (let i = 0; i < 20000 && session.state !== 'closed'; i++) peer.send(ping);
  const error = await closed;
  assert.equal(error.code, ErrorCode.PROTOCOL_ERROR);
  assert.match(error.reason, /^control queue overflow: 16384 frames waiting to be written \(limit 16384\); the peer sends requests but does not read the answers$/);
});

test('close() on a transport that takes nothing more ends after the GOAWAY backstop (§4.10)', async () => {
  const { peer, session } = await connected();
  peer.stalled = true;
  const channel = session.open('x'); // its OPEN is never taken, so the GOAWAY cannot be written either
  void channel.catch(() => undefined);
  await session.close();
  assert.equal(session.state, 'closed');
  assert.ok(peer.closed);
  await assert.rejects(channel, (e: TetherError) => e.code === ErrorCode.NO_ERROR);
});
