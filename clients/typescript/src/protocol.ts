// Wire format of the Tether session protocol (docs/PROTOCOL.md §2–§4, §10): hello, frames, error codes.
// Pure functions on Uint8Array, so the same code runs in browsers and in Node.

export const MAGIC = new Uint8Array([0x54, 0x45, 0x54, 0x48, 0x45, 0x52]); // "TETHER"
export const MAJOR = 1;
export const MINOR = 0;
export const HELLO_BODY_MAX = 65536;
export const HEADER_SIZE = 26;
export const DEFAULT_PEER_MAX_FRAME = 16384;
export const MIN_FRAME = 4096;
export const MAX_FRAME = 1048576;
export const MIN_PEER_REPLAY_LIMIT = 131072;
export const REPLAY_CONTROL_RESERVE = 65536;
export const WINDOW_MAX = 0x7fffffff;
export const REASON_MAX_BYTES = 1024;
export const RESET_MEMORY = 1024;

/** §10.1 error codes. */
export enum ErrorCode {
  NO_ERROR = 0,
  PROTOCOL_ERROR = 1,
  INTERNAL_ERROR = 2,
  FLOW_CONTROL_ERROR = 3,
  UNKNOWN_CHANNEL = 4,
  CHANNEL_REFUSED = 5,
  MESSAGE_TOO_LARGE = 6,
  FRAME_TOO_LARGE = 7,
  CANCELLED = 8,
  REPLAY_OVERFLOW = 9,
  UNKNOWN_SESSION = 10,
  VERSION_MISMATCH = 11,
  SESSION_EXPIRED = 12,
  SERVICE_ERROR = 13,
}

export function codeName(code: number): string {
  return ErrorCode[code] ?? `UNKNOWN(${code})`;
}

/** A failure with a protocol error code and the reason a person reads. */
export class TetherError extends Error {
  constructor(readonly code: number, readonly reason: string) {
    super(`${codeName(code)}: ${reason}`);
    this.name = 'TetherError';
  }
}

/** §4 frame types. */
export enum FrameType {
  OPEN = 0x01,
  OPEN_OK = 0x02,
  OPEN_FAIL = 0x03,
  DATA = 0x04,
  CREDIT = 0x05,
  HALF_CLOSE = 0x06,
  RESET = 0x07,
  PING = 0x08,
  PONG = 0x09,
  GOAWAY = 0x0a,
  ACK = 0x0b,
}

export function isSequenced(type: FrameType): boolean {
  return type >= FrameType.OPEN && type <= FrameType.RESET;
}

export function isKnownType(type: number): type is FrameType {
  return type >= FrameType.OPEN && type <= FrameType.ACK;
}

export enum Flavour {
  BYTES = 0,
  MESSAGES = 1,
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Cuts a reason to at most 1024 UTF-8 bytes on a character boundary (§4.3). */
export function cutReason(reason: string): Uint8Array {
  let bytes = utf8(reason);
  if (bytes.length <= REASON_MAX_BYTES) return bytes;
  let end = REASON_MAX_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // not inside a multi-byte character
  return bytes.slice(0, end);
}

export function encodeError(code: number, reason: string): Uint8Array {
  const text = cutReason(reason);
  const out = new Uint8Array(2 + text.length);
  new DataView(out.buffer).setUint16(0, code);
  out.set(text, 2);
  return out;
}

export function decodeError(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length < 2) {
    throw new Error(`error payload of ${payload.length} bytes is shorter than 2`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { code: view.getUint16(0), reason: fromUtf8(payload.subarray(2)) };
}

// ---------------------------------------------------------------- hello (§2.1)

export enum HelloTag {
  AGENT = 1,
  CAPABILITIES = 2,
  MAX_FRAME = 3,
  REPLAY_LIMIT = 4,
  SESSION_ID = 5,
  RESUME_TOKEN = 6,
  RECEIVED = 7,
  ERROR = 8,
}

export interface Hello {
  major: number;
  minor: number;
  agent: string;
  capabilities: string[];
  maxFrameSize?: number;
  replayLimit?: number;
  sessionId?: Uint8Array;
  resumeToken?: Uint8Array;
  received?: bigint;
  error?: { code: number; reason: string };
}

/** Encodes a hello, fields in ascending tag order. */
export function encodeHello(hello: Hello): Uint8Array {
  const fields: Uint8Array[] = [];
  const field = (tag: number, value: Uint8Array) => {
    const f = new Uint8Array(4 + value.length);
    const v = new DataView(f.buffer);
    v.setUint16(0, tag);
    v.setUint16(2, value.length);
    f.set(value, 4);
    fields.push(f);
  };
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return b;
  };
  field(HelloTag.AGENT, utf8(hello.agent));
  field(HelloTag.CAPABILITIES, utf8(hello.capabilities.join(',')));
  if (hello.maxFrameSize !== undefined) field(HelloTag.MAX_FRAME, u32(hello.maxFrameSize));
  if (hello.replayLimit !== undefined) field(HelloTag.REPLAY_LIMIT, u32(hello.replayLimit));
  if (hello.sessionId) field(HelloTag.SESSION_ID, hello.sessionId);
  if (hello.resumeToken) field(HelloTag.RESUME_TOKEN, hello.resumeToken);
  if (hello.received !== undefined) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, hello.received);
    field(HelloTag.RECEIVED, b);
  }
  if (hello.error) field(HelloTag.ERROR, encodeError(hello.error.code, hello.error.reason));
  const body = concat(fields);
  const head = new Uint8Array(12);
  head.set(MAGIC, 0);
  head[6] = hello.major;
  head[7] = hello.minor;
  new DataView(head.buffer).setUint32(8, body.length);
  return concat([head, body]);
}

/** Parses a hello body (the bytes after the 12-byte preamble head). Throws with the §2.1 messages. */
export function decodeHelloBody(major: number, minor: number, body: Uint8Array): Hello {
  const hello: Hello = { major, minor, agent: '', capabilities: [] };
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  while (at < body.length) {
    if (at + 4 > body.length) throw new Error(`truncated hello field at offset ${at}`);
    const tag = view.getUint16(at);
    const length = view.getUint16(at + 2);
    if (at + 4 + length > body.length) {
      throw new Error(`hello field ${tag} of ${length} bytes overruns the hello`);
    }
    const value = body.subarray(at + 4, at + 4 + length);
    const exact = (name: string, size: number) => {
      if (length !== size) throw new Error(`hello ${name} has ${length} bytes, expected ${size}`);
      return new DataView(value.buffer, value.byteOffset, value.byteLength);
    };
    switch (tag) {
      case HelloTag.AGENT:
        hello.agent = fromUtf8(value);
        break;
      case HelloTag.CAPABILITIES:
        for (const name of fromUtf8(value).split(',')) {
          const trimmed = name.trim();
          if (trimmed) hello.capabilities.push(trimmed);
        }
        break;
      case HelloTag.MAX_FRAME:
        hello.maxFrameSize = exact('max frame size', 4).getUint32(0);
        break;
      case HelloTag.REPLAY_LIMIT:
        hello.replayLimit = exact('replay limit', 4).getUint32(0);
        break;
      case HelloTag.SESSION_ID:
        hello.sessionId = value.slice();
        break;
      case HelloTag.RESUME_TOKEN:
        hello.resumeToken = value.slice();
        break;
      case HelloTag.RECEIVED:
        hello.received = exact('received', 8).getBigUint64(0);
        break;
      case HelloTag.ERROR:
        try {
          hello.error = decodeError(value);
        } catch (e) {
          throw new Error(`hello error field: ${(e as Error).message}`);
        }
        break;
      default:
        break; // unknown tags are ignored (a later minor version may add fields)
    }
    at += 4 + length;
  }
  return hello;
}

// ---------------------------------------------------------------- frames (§3)

export interface Frame {
  type: FrameType;
  flags: number;
  channel: number;
  seq: bigint;
  ack: bigint;
  payload: Uint8Array;
}

export function encodeFrame(type: FrameType, channel: number, seq: bigint, ack: bigint, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, type);
  v.setUint8(1, 0);
  v.setUint32(2, channel);
  v.setUint32(6, payload.length);
  v.setBigUint64(10, seq);
  v.setBigUint64(18, ack);
  out.set(payload, HEADER_SIZE);
  return out;
}

/** Rewrites the ack field of an encoded frame (a retransmission carries a fresh ack, §3). */
export function withAck(frame: Uint8Array, ack: bigint): Uint8Array {
  const copy = frame.slice();
  new DataView(copy.buffer).setBigUint64(18, ack);
  return copy;
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

export function encodeOpen(window: number, flavour: Flavour, kind: string, metadata: string): Uint8Array {
  const kindBytes = utf8(kind);
  if (kindBytes.length < 1 || kindBytes.length > 255) {
    throw new RangeError(`channel kind '${kind}' must be 1..255 UTF-8 bytes`);
  }
  const meta = utf8(metadata);
  const out = new Uint8Array(6 + kindBytes.length + meta.length);
  new DataView(out.buffer).setUint32(0, window);
  out[4] = flavour;
  out[5] = kindBytes.length;
  out.set(kindBytes, 6);
  out.set(meta, 6 + kindBytes.length);
  return out;
}

export function decodeOpen(payload: Uint8Array): { window: number; flavour: number; kind: string; metadata: string } {
  if (payload.length < 7) throw new Error(`OPEN payload of ${payload.length} bytes is shorter than its 7-byte minimum`);
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const window = v.getUint32(0);
  if (window > WINDOW_MAX) throw new Error(`window ${window} exceeds 2^31-1`);
  const flavour = payload[4];
  if (flavour !== Flavour.BYTES && flavour !== Flavour.MESSAGES) {
    throw new Error(`OPEN names unknown channel flavour ${flavour}`);
  }
  const kindLength = payload[5];
  if (kindLength < 1 || 6 + kindLength > payload.length) throw new Error(`OPEN kind length ${kindLength} does not fit`);
  return {
    window,
    flavour,
    kind: fromUtf8(payload.subarray(6, 6 + kindLength)),
    metadata: fromUtf8(payload.subarray(6 + kindLength)),
  };
}

export function decodeOpenOk(payload: Uint8Array): { window: number; metadata: string } {
  if (payload.length < 4) throw new Error(`OPEN_OK payload of ${payload.length} bytes is shorter than 4`);
  const window = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
  if (window > WINDOW_MAX) throw new Error(`window ${window} exceeds 2^31-1`);
  return { window, metadata: fromUtf8(payload.subarray(4)) };
}

export function decodeCredit(payload: Uint8Array): number {
  if (payload.length !== 4) throw new Error(`CREDIT payload of ${payload.length} bytes, expected 4`);
  const n = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
  if (n < 1 || n > WINDOW_MAX) throw new Error(`CREDIT increment ${n} must be 1..2^31-1`);
  return n;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}
