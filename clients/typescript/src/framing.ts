// Reading the byte stream (docs/PROTOCOL.md §2.1, §2.5, §3): the hello, then frames whose header is
// checked before their payload is awaited, and the §13 trace line.

import { ErrorCode, FrameType, HEADER_SIZE, HELLO_BODY_MAX, MAGIC, TetherError, concat, decodeHelloBody, fromUtf8,
  isKnownType, isSequenced, type Hello } from './protocol.js';

/** Reads a hello from the first bytes of a transport (§2.1, §2.5). */
export class HelloReader {
  private buffered: Uint8Array = new Uint8Array(0);

  /** Returns the hello and the bytes after it, or undefined while incomplete; throws on a bad preamble. */
  push(chunk: Uint8Array): { hello: Hello; rest: Uint8Array } | undefined {
    this.buffered = concat([this.buffered, chunk]);
    const b = this.buffered;
    for (let i = 0; i < Math.min(b.length, MAGIC.length); i++) {
      if (b[i] !== MAGIC[i]) return this.foreign(false);
    }
    if (b.length < 12) return undefined;
    const length = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(8);
    if (length > HELLO_BODY_MAX) throw new TetherError(ErrorCode.PROTOCOL_ERROR, `hello of ${length} bytes exceeds ${HELLO_BODY_MAX}`);
    if (b.length < 12 + length) return undefined;
    const hello = decodeHelloBody(b[6], b[7], b.subarray(12, 12 + length));
    return { hello, rest: b.subarray(12 + length) };
  }

  /** The stream ended before a whole hello arrived. */
  ended(): never {
    if (this.buffered.length === 0) {
      throw new TetherError(ErrorCode.PROTOCOL_ERROR, 'the peer closed the connection before sending the Tether preamble');
    }
    for (let i = 0; i < Math.min(this.buffered.length, MAGIC.length); i++) {
      if (this.buffered[i] !== MAGIC[i]) this.foreign(true);
    }
    throw new TetherError(ErrorCode.PROTOCOL_ERROR, this.buffered.length < 12
      ? 'peer closed the connection inside the Tether preamble' : 'peer closed the connection inside its hello');
  }

  /** Not Tether: report the first line the peer sent, since it usually names the problem. */
  private foreign(ended: boolean): undefined {
    const b = this.buffered;
    const newline = b.indexOf(0x0a);
    if (newline < 0 && b.length < 200 && !ended) return undefined;
    const end = Math.min(newline < 0 ? b.length : newline, 200);
    const text = fromUtf8(b.subarray(0, end)).replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
    throw new TetherError(ErrorCode.PROTOCOL_ERROR, `the peer is not a Tether agent; it sent: "${text}"`);
  }
}

/** Splits the byte stream into frames (§3), checking the header before waiting for the payload. */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxPayload: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
  }

  /** The next whole frame, or undefined; throws a session error for a bad header. */
  next(): { type: number; flags: number; channel: number; seq: bigint; ack: bigint; payload: Uint8Array } | undefined {
    if (this.size < HEADER_SIZE) return undefined;
    const head = this.peek(HEADER_SIZE);
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const type = v.getUint8(0);
    const channel = v.getUint32(2);
    const length = v.getUint32(6);
    const seq = v.getBigUint64(10);
    const ack = v.getBigUint64(18);
    validateHeader(type, channel, length, seq, this.maxPayload);
    if (this.size < HEADER_SIZE + length) return undefined;
    const whole = this.take(HEADER_SIZE + length);
    return { type, flags: v.getUint8(1), channel, seq, ack, payload: whole.subarray(HEADER_SIZE) };
  }

  private peek(n: number): Uint8Array {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    const all = concat(this.chunks);
    this.chunks = [all];
    return all.subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - at);
        out.set(c.subarray(0, k), at);
        at += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.size -= n;
    return out;
  }
}

/** One frame as PROTOCOL.md §13 prints it (without the session name). */
export function traceLine(direction: '>>' | '<<', type: number, channel: number, length: number, seq: bigint, ack: bigint, flags: number): string {
  const name = FrameType[type] ?? `0x${type.toString(16)}`;
  const sequenced = isKnownType(type) && isSequenced(type);
  return `${direction} ch=${channel} ${name} len=${length}${sequenced ? ` seq=${seq}` : ''} ack=${ack}`
    + (flags ? ` flags=0x${flags.toString(16).padStart(2, '0')}` : '');
}

function validateHeader(type: number, channel: number, length: number, seq: bigint, maxPayload: number): void {
  if (!isKnownType(type)) {
    throw new TetherError(ErrorCode.PROTOCOL_ERROR, `unknown frame type 0x${type.toString(16)}`);
  }
  const name = FrameType[type];
  if (length > maxPayload) {
    throw new TetherError(ErrorCode.FRAME_TOO_LARGE, `${name} frame of ${length} bytes exceeds the maximum frame size ${maxPayload}`);
  }
  const sessionScoped = !isSequenced(type);
  if (sessionScoped && channel !== 0) {
    throw new TetherError(ErrorCode.PROTOCOL_ERROR, `${name} frame on channel ${channel} (belongs on channel 0)`);
  }
  if (!sessionScoped && channel === 0) {
    throw new TetherError(ErrorCode.PROTOCOL_ERROR, `${name} frame on channel 0 (needs a channel id)`);
  }
  if (!sessionScoped && seq === 0n) {
    throw new TetherError(ErrorCode.PROTOCOL_ERROR, `${name} frame with seq=0 (sequenced frames start at 1)`);
  }
  if (sessionScoped && seq !== 0n) {
    throw new TetherError(ErrorCode.PROTOCOL_ERROR, `${name} frame with seq=${seq} (must be 0)`);
  }
}
