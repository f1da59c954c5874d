// This client against `tether conformance peer` (PROTOCOL.md §14), the reference agent with scripted
// misbehaviour per connection (/scenario/NAME): each test checks the client's reaction as the document
// names it, and the peer's own verdict line for the connection (PASS, or FAIL with the section it broke).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { AgentHome, type ConformancePeer } from './agent.js';
import { ErrorCode, ExecClient, FsClient, Session, TetherError, WebSocketTransport, fromUtf8, utf8,
  type SessionOptions, type WebSocketConstructor } from '../src/index.js';

const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

let home: AgentHome;
let peer: ConformancePeer;

before(async () => {
  home = new AgentHome();
  peer = await home.conformancePeer();
});

after(async () => {
  await home.cleanup();
});

function connectTo(scenario: string): Promise<WebSocketTransport> {
  return WebSocketTransport.connect(`${peer.url}scenario/${scenario}`, { token: peer.token, WebSocket: NodeWebSocket });
}

async function session(scenario: string, options: SessionOptions = {}): Promise<Session> {
  return Session.connect(await connectTo(scenario), options);
}

/** The peer's next verdict line is a PASS for `scenario`. */
async function passed(scenario: string): Promise<string> {
  const line = await peer.next();
  assert.match(line, new RegExp(`^PASS ${scenario} #\\d+: `), line);
  return line;
}

function isTetherError(code: ErrorCode, reason: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof TetherError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.reason, reason);
    return true;
  };
}

/** A second channel is echoed by the scripted peer: the session went on after a channel error. */
async function assertEchoes(s: Session): Promise<void> {
  const echo = await s.open('echo');
  await echo.write(utf8('still here'));
  echo.end();
  assert.equal(fromUtf8(await echo.readAll()), 'still here');
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

test('peer: a window overrun is answered with RESET FLOW_CONTROL_ERROR and the reason of §4.4; the session goes on', async () => {
  const s = await session('overrun');
  const channel = await s.open('subject', undefined, undefined, 4096);
  await assert.rejects(channel.readAll(),
    isTetherError(ErrorCode.FLOW_CONTROL_ERROR, /^peer sent 4097 bytes on channel 1 with only 4096 bytes of window left$/));
  assert.match(await passed('overrun'), /RESET FLOW_CONTROL_ERROR/);
  await assertEchoes(s);
  await s.close();
});

test('peer: the client stops when the window is used up and goes on after each CREDIT (§6)', async () => {
  const s = await session('window');
  const channel = await s.open('subject');
  const written = channel.write(new Uint8Array(64 * 1024));
  channel.end();
  assert.equal(fromUtf8(await channel.readAll()), 'received 65536 bytes\n');
  await written;
  assert.match(await passed('window'), /stopped at the end of the window 16 times/);
  await s.close();
});

test('peer: a RESET surfaces as a channel error with its code and reason; the session goes on (§4.7)', async () => {
  const s = await session('reset');
  const channel = await s.open('subject');
  await assert.rejects(channel.readAll(),
    isTetherError(ErrorCode.SERVICE_ERROR, /^conformance peer: scripted RESET of channel 1$/));
  await assert.rejects(channel.write(utf8('too late')), isTetherError(ErrorCode.SERVICE_ERROR, /scripted RESET/));
  await assertEchoes(s);
  await passed('reset');
  await s.close();
});

test('peer: an unknown frame type closes the session with GOAWAY PROTOCOL_ERROR (§10.3)', async () => {
  const s = await session('unknown-frame');
  const closed = new Promise<TetherError>((resolve) => s.on('closed', resolve));
  const channel = await s.open('subject');
  const error = await closed;
  assert.equal(error.code, ErrorCode.PROTOCOL_ERROR);
  assert.equal(error.reason, 'unknown frame type 0x7f');
  await assert.rejects(channel.readAll(), isTetherError(ErrorCode.PROTOCOL_ERROR, /^unknown frame type 0x7f$/));
  await passed('unknown-frame');
});

test('peer: a hello of another major version is refused with VERSION_MISMATCH, nothing sent back (§2.2)', async () => {
  await assert.rejects(session('version'),
    isTetherError(ErrorCode.VERSION_MISMATCH, /speaks Tether protocol 2\.0 \(tether-conformance-peer\/2\.0\), this side speaks 1\.0/));
  await passed('version');
});

test('peer: a WebSocket cut mid-transfer is resumed by reconnect with nothing lost (§8.4)', async () => {
  const content = randomBytes(2 * 1024 * 1024);
  const file = join(home.home, 'cut.bin');
  writeFileSync(file, content);
  const s = await session('cut', { reconnect: () => connectTo('cut') });
  const resumed = new Promise<void>((resolve) => s.on('resumed', resolve));
  const fs = new FsClient(s);
  const got = await fs.readFile(file);
  await resumed;
  assert.equal(got.length, content.length);
  assert.equal(sha(got), sha(content));
  assert.match(await peer.next(), /^INFO cut #\d+: cut the connection/);
  assert.match(await passed('cut'), /resumed session/);
  await fs.close();
  await s.close();
});

test('peer: a normal session serves the agent\'s fs and exec services', async () => {
  const s = await session('normal');
  await passed('normal');
  const file = join(home.home, 'note.txt');
  writeFileSync(file, 'from the conformance peer\n');
  const fs = new FsClient(s);
  assert.equal(fromUtf8(await fs.readFile(file)), 'from the conformance peer\n');
  const exec = await ExecClient.open(s);
  assert.deepEqual(await exec.run({ argv: ['echo', 'hi'] }), { exitCode: 0, stdout: 'hi\n', stderr: '' });
  exec.close();
  await fs.close();
  await s.close();
});

test('peer: an OPEN from the peer is refused with OPEN_FAIL CHANNEL_REFUSED; the session goes on (§4.1)', async () => {
  const s = await session('peer-open');
  assert.match(await passed('peer-open'),
    /client refused the peer's OPEN with OPEN_FAIL CHANNEL_REFUSED 'this side accepts no channels \(kind 'conformance'\)' \(§4\.1\)$/);
  await assertEchoes(s);
  await s.close();
});

test('peer: a PING right after the hello is answered with a PONG of the same 8 bytes (§4.8)', async () => {
  const s = await session('ping');
  await passed('ping');
  await assertEchoes(s);
  await s.close();
});

test('peer: no connection of this file was judged FAIL', () => {
  assert.deepEqual(peer.lines.filter((l) => l.startsWith('FAIL')), []);
});
