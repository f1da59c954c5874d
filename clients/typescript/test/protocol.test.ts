// The golden bytes of docs/PROTOCOL.md, encoded and decoded by this client.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, Flavour, FrameType, decodeError, decodeHelloBody, decodeOpen, decodeOpenOk, encodeError,
  encodeFrame, encodeHello, encodeOpen, fromHex, toHex, u32, utf8, cutReason } from '../src/protocol.js';

test('hello golden bytes (§2.1)', () => {
  const bytes = encodeHello({ major: 1, minor: 0, agent: 't/1', capabilities: ['resume'], maxFrameSize: 32768, replayLimit: 1048576 });
  assert.equal(toHex(bytes), '544554484552010000000021' + '00010003742f31' + '00020006726573756d65' + '0003000400008000' + '0004000400100000');
  const h = decodeHelloBody(1, 0, bytes.subarray(12));
  assert.deepEqual([h.agent, h.capabilities, h.maxFrameSize, h.replayLimit], ['t/1', ['resume'], 32768, 1048576]);
});

test('hello: unknown tags are ignored, capabilities trimmed, errors named (§2.1)', () => {
  const h = decodeHelloBody(1, 0, fromHex('0063 0001 ff 0001 0000'));
  assert.equal(h.agent, '');
  const caps = decodeHelloBody(1, 0, fromHex('0002 0009' + toHex(utf8(' a, ,b , '))));
  assert.deepEqual(caps.capabilities, ['a', 'b']);
  assert.throws(() => decodeHelloBody(1, 0, fromHex('0003 0002 0000')), /hello max frame size has 2 bytes, expected 4/);
  assert.throws(() => decodeHelloBody(1, 0, fromHex('0001 0005 41')), /hello field 1 of 5 bytes overruns the hello/);
  assert.throws(() => decodeHelloBody(1, 0, fromHex('0001')), /truncated hello field at offset 0/);
});

test('error hello (§2.1)', () => {
  const bytes = encodeHello({ major: 1, minor: 0, agent: 'tether-mux/1', capabilities: [], error: { code: ErrorCode.UNKNOWN_SESSION, reason: 'expired' } });
  assert.equal(toHex(bytes), '5445544845520100000000210001000c7465746865722d6d75782f31000200000008000900' + '0a65787069726564');
  assert.deepEqual(decodeHelloBody(1, 0, bytes.subarray(12)).error, { code: 10, reason: 'expired' });
});

test('frame golden bytes (§4), as printed in the document', () => {
  const doc = (hex: string) => hex.replace(/\s+/g, '');
  const open = encodeFrame(FrameType.OPEN, 1, 1n, 0n, encodeOpen(65536, Flavour.MESSAGES, 'lsp', '{"server":"pylsp"}'));
  assert.equal(toHex(open), doc('01 00 00000001 0000001b 0000000000000001 0000000000000000 00010000 01 03 6c7370 7b22736572766572223a2270796c7370227d'));
  assert.deepEqual(decodeOpen(open.subarray(26)), { window: 65536, flavour: 1, kind: 'lsp', metadata: '{"server":"pylsp"}' });
  const ok = fromHex('02 00 00000001 0000000e 0000000000000001 0000000000000001 00010000 7b22706964223a34327d');
  assert.deepEqual(decodeOpenOk(ok.subarray(26)), { window: 65536, metadata: '{"pid":42}' });
  assert.equal(toHex(encodeFrame(FrameType.OPEN_FAIL, 3, 2n, 1n, encodeError(5, 'no such server'))),
    doc('03 00 00000003 00000010 0000000000000002 0000000000000001 0005 6e6f2073756368207365727665 72'));
  assert.equal(toHex(encodeFrame(FrameType.DATA, 1, 7n, 5n, utf8('hi'))), doc('04 00 00000001 00000002 0000000000000007 0000000000000005 6869'));
  assert.equal(toHex(encodeFrame(FrameType.CREDIT, 1, 8n, 5n, u32(32768))), doc('05 00 00000001 00000004 0000000000000008 0000000000000005 00008000'));
  assert.equal(toHex(encodeFrame(FrameType.HALF_CLOSE, 1, 9n, 5n, new Uint8Array(0))), doc('06 00 00000001 00000000 0000000000000009 0000000000000005'));
  assert.equal(toHex(encodeFrame(FrameType.RESET, 1, 10n, 5n, encodeError(3, 'overrun'))), doc('07 00 00000001 00000009 000000000000000a 0000000000000005 0003 6f76657272756e'));
  assert.equal(toHex(encodeFrame(FrameType.PING, 0, 0n, 5n, fromHex('0102030405060708'))), doc('08 00 00000000 00000008 0000000000000000 0000000000000005 0102030405060708'));
  assert.equal(toHex(encodeFrame(FrameType.PONG, 0, 0n, 5n, fromHex('0102030405060708'))), doc('09 00 00000000 00000008 0000000000000000 0000000000000005 0102030405060708'));
  assert.equal(toHex(encodeFrame(FrameType.GOAWAY, 0, 0n, 10n, encodeError(0, 'bye'))), doc('0a 00 00000000 00000005 0000000000000000 000000000000000a 0000 627965'));
  assert.equal(toHex(encodeFrame(FrameType.ACK, 0, 0n, 10n, new Uint8Array(0))), doc('0b 00 00000000 00000000 0000000000000000 000000000000000a'));
});

test('reasons are cut to 1024 bytes on a character boundary (§4.3)', () => {
  const cut = cutReason('é'.repeat(600)); // 1200 bytes
  assert.equal(cut.length, 1024);
  assert.equal(decodeError(encodeError(1, 'é'.repeat(600))).reason, 'é'.repeat(512));
});
