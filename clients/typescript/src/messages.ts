// Message channels (docs/PROTOCOL.md §5): u32-length-prefixed records over a channel's byte stream.

import type { Channel } from './channel.js';
import { ErrorCode, TetherError, concat, u32 } from './protocol.js';

/** Length-prefixed records over a channel (§5): one JSON-RPC body per message. */
export class MessageChannel {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(readonly channel: Channel, private readonly maxMessageSize: number) {}

  get id(): number {
    return this.channel.id;
  }

  get metadata(): string {
    return this.channel.metadata;
  }

  /** Sends one message (string bodies are UTF-8). */
  send(body: Uint8Array | string): Promise<void> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return this.channel.enqueue([u32(bytes.length), bytes]);
  }

  /** The next message, or null at a clean end of stream. */
  async receive(): Promise<Uint8Array | null> {
    const prefix = await this.readExactly(4, true);
    if (prefix === null) return null;
    const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0);
    if (length > this.maxMessageSize) {
      const reason = `message of ${length} bytes exceeds the limit of ${this.maxMessageSize}`;
      this.channel.reset(ErrorCode.MESSAGE_TOO_LARGE, reason);
      throw new TetherError(ErrorCode.MESSAGE_TOO_LARGE, reason);
    }
    const body = await this.readExactly(length, false);
    return body!;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const m = await this.receive();
      if (m === null) return;
      yield m;
    }
  }

  end(): void {
    this.channel.end();
  }

  reset(code?: number, reason?: string): void {
    this.channel.reset(code, reason);
  }

  /** Reads n bytes, never allocating from the declared length before the bytes arrived. */
  private async readExactly(n: number, atBoundary: boolean): Promise<Uint8Array | null> {
    while (this.pendingBytes < n) {
      const chunk = await this.channel.read();
      if (chunk === null) {
        if (atBoundary && this.pendingBytes === 0) return null;
        throw new TetherError(ErrorCode.PROTOCOL_ERROR, atBoundary
          ? `channel ${this.channel.id} ended inside a message length`
          : `channel ${this.channel.id} ended inside a message of ${n} bytes`);
      }
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    const all = this.pending.length === 1 ? this.pending[0] : concat(this.pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }
}
