// JSON-RPC 2.0 over a message channel: each channel message is one JSON-RPC message body
// (docs/SERVICES.md: `sys`, `fs`, `terminal`, `exec`, `ports`).

import { MessageChannel, type Session } from './session.js';
import { fromUtf8 } from './protocol.js';

/** A JSON-RPC error answer: `code`, `message` and the service's `data`. */
export class RpcError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
    this.name = 'RpcError';
  }
}

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class RpcChannel {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private readonly handlers = new Map<string, (params: unknown) => void>();
  private ended?: Error;

  private constructor(readonly messages: MessageChannel) {
    void this.readLoop();
  }

  /** Opens a JSON-RPC channel of `kind` on the session. */
  static async open(session: Session, kind: string, metadata?: unknown): Promise<RpcChannel> {
    return new RpcChannel(await session.openMessages(kind, metadata));
  }

  /** Sends a request and resolves with its result; rejects with RpcError or the channel's end. */
  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    const body = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.messages.send(body).catch((e: Error) => this.settle(id, e));
    });
  }

  notify(method: string, params?: unknown): Promise<void> {
    return this.messages.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Handles notifications from the peer (e.g. `tcp/accepted`). */
  onNotification(method: string, handler: (params: unknown) => void): void {
    this.handlers.set(method, handler);
  }

  /** Half-closes; on `exec` this ends the processes started through it. */
  close(): void {
    this.messages.end();
  }

  private settle(id: number, error: Error): void {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    w?.reject(error);
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const body of this.messages) {
        const msg = JSON.parse(fromUtf8(body)) as { id?: number; method?: string; params?: unknown; result?: unknown;
          error?: { code: number; message: string; data?: unknown } };
        if (msg.method !== undefined) {
          if (msg.id === undefined) this.handlers.get(msg.method)?.(msg.params);
          continue;
        }
        const w = msg.id !== undefined ? this.waiting.get(msg.id) : undefined;
        if (!w) continue;
        this.waiting.delete(msg.id!);
        if (msg.error) w.reject(new RpcError(msg.error.code, msg.error.message, msg.error.data));
        else w.resolve(msg.result ?? null);
      }
      this.ended = new Error(`the ${this.messages.channel.kind} channel ended`);
    } catch (e) {
      this.ended = e as Error;
    }
    for (const [id] of this.waiting) this.settle(id, this.ended);
  }
}
