// A transport over the standard WebSocket API (browsers, Node 22+, or the `ws` package's class in Node
// 20): each binary message is just the next chunk of the byte stream (docs/PROTOCOL.md §1).

import type { ByteTransport, TransportHandlers } from './transport.js';

/** The part of the standard `WebSocket` this transport uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface WebSocketTransportOptions {
  /**
   * The endpoint's connection token (the hex digits of its token file). A browser cannot set an
   * Authorization header on a WebSocket, so it is offered as the subprotocol `tether.token.TOKEN`, next
   * to `tether.v1`; the server never echoes it.
   */
  token?: string;
  /** More subprotocols to offer (`tether.v1` is always offered). */
  protocols?: string[];
  /** The largest binary message sent; longer writes are split. Default 64 KiB, the endpoint's limit. */
  maxMessage?: number;
  /** The WebSocket class; default `globalThis.WebSocket` (pass `ws`'s in Node 20). */
  WebSocket?: WebSocketConstructor;
  /** Above this many buffered bytes `write` asks the session to wait; default 1 MiB. */
  highWaterMark?: number;
}

const OPEN = 1;
export const SUBPROTOCOL = 'tether.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'tether.token.';
const MAX_MESSAGE = 64 * 1024;

export class WebSocketTransport implements ByteTransport {
  private handlers?: TransportHandlers;
  private early: Uint8Array[] = [];
  private endReason?: string;
  private ended = false;
  private waiters: (() => void)[] = [];
  private poll?: ReturnType<typeof setInterval>;

  private constructor(private readonly socket: WebSocketLike, readonly description: string, private readonly highWaterMark: number,
    private readonly maxMessage: number) {
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (ev) => this.message(ev.data);
    socket.onclose = (ev) => this.end(`the transport ended (${description}: close ${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
    socket.onerror = () => this.end(`the transport failed (${description})`);
  }

  /** Opens `url` and resolves once the socket is open; rejects if it closes first. */
  static connect(url: string, options: WebSocketTransportOptions = {}): Promise<WebSocketTransport> {
    const Ctor = options.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new Error('no WebSocket class: pass options.WebSocket (e.g. the ws package\'s) on Node 20');
    const protocols = [SUBPROTOCOL, ...(options.protocols ?? [])];
    if (options.token) protocols.push(TOKEN_SUBPROTOCOL_PREFIX + options.token);
    const socket = new Ctor(url, protocols);
    const transport = new WebSocketTransport(socket, url, options.highWaterMark ?? 1024 * 1024, options.maxMessage ?? MAX_MESSAGE);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(transport);
      const failed = () => reject(new Error(`cannot open a WebSocket to ${url}${transport.endReason ? `: ${transport.endReason}` : ''}`));
      const closeHandler = socket.onclose;
      socket.onclose = (ev) => {
        closeHandler?.(ev);
        failed();
      };
    });
  }

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    for (const chunk of this.early.splice(0)) handlers.data(chunk);
    if (this.endReason !== undefined) handlers.end(this.endReason);
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.ended || this.socket.readyState !== OPEN) return;
    for (let at = 0; at < chunk.length; at += this.maxMessage) {
      this.socket.send(chunk.subarray(at, Math.min(chunk.length, at + this.maxMessage)));
    }
    if (this.socket.bufferedAmount <= this.highWaterMark) return;
    // The standard API has no drain event: poll bufferedAmount until it is below the mark.
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (!this.poll) {
        this.poll = setInterval(() => {
          if (this.ended || this.socket.bufferedAmount <= this.highWaterMark / 2) this.wake();
        }, 5);
      }
    });
  }

  close(): void {
    if (this.socket.readyState <= OPEN) this.socket.close(1000, 'closed');
    this.end(`the transport ended (${this.description})`);
  }

  private message(data: unknown): void {
    if (this.ended) return;
    let chunk: Uint8Array;
    if (data instanceof ArrayBuffer) chunk = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else {
      // A text message is not part of the protocol: the stream can no longer be trusted.
      this.socket.close(1003, 'binary messages only');
      this.end(`the peer sent a text WebSocket message on ${this.description} (the session uses binary messages only)`);
      return;
    }
    if (this.handlers) this.handlers.data(chunk);
    else this.early.push(chunk);
  }

  private wake(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    this.wake();
    this.handlers?.end(reason);
  }
}
