// One channel of a session (docs/PROTOCOL.md §4.1–4.7, §6, §11): its two windows and its buffers. The
// session owns the frames; the channel decides what its application may read and write.

import { ErrorCode, Flavour, FrameType, HEADER_SIZE, TetherError, concat } from './protocol.js';

/** What a channel needs from its session. */
export interface ChannelOwner {
  channelHasOutput(channel: Channel): void;
  sendCredit(channel: Channel, n: number): void;
  resetChannel(channel: Channel, code: number, reason: string): void;
}

type ChannelState = 'OPENING' | 'OPEN' | 'CLOSED';

/**
 * One channel of a session (§11). Reads return the bytes in order, then null at the peer's half-close;
 * writes respect the peer's window (they resolve when the bytes are on their way); `end()` half-closes.
 */
export class Channel {
  state: ChannelState = 'OPENING';
  /** The acceptor's OPEN_OK metadata (raw text; services send JSON). */
  metadata = '';
  /** Set when the channel failed: reset by either side, open refused, or the session closed. */
  failure?: TetherError;

  // sending
  sendWindow = 0;
  private out: Uint8Array[] = [];
  private outHead = 0;
  outBytes = 0;
  private queuedTotal = 0;
  private sentTotal = 0;
  private writeWaiters: { target: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  halfClosePending = false;
  outClosed = false;
  /** How often output waited for the peer's CREDIT with the send window at 0 (back-pressure seen). */
  windowStalls = 0;

  // receiving
  readonly advertisedWindow: number;
  recvWindow: number;
  private inChunks: Uint8Array[] = [];
  /** Bytes received and not yet read: never more than the window this side granted. */
  inBytes = 0;
  inFinished = false;
  private unreturned = 0;
  private discarding = false;
  private readWaiters: { resolve: (c: Uint8Array | null) => void; reject: (e: Error) => void }[] = [];

  private openWaiter?: { resolve: () => void; reject: (e: Error) => void };
  private doneResolve!: () => void;
  /** Resolves when the channel is finished or failed (never rejects; see `failure`). */
  readonly done: Promise<void> = new Promise((resolve) => (this.doneResolve = resolve));

  /** @internal */
  constructor(
    private readonly session: ChannelOwner,
    readonly id: number,
    readonly kind: string,
    readonly flavour: Flavour,
    window: number,
  ) {
    this.advertisedWindow = window;
    this.recvWindow = window;
  }

  /** @internal */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => (this.openWaiter = { resolve, reject }));
  }

  /** Queues bytes; resolves once they have been written to the transport (back-pressure). */
  write(data: Uint8Array): Promise<void> {
    return this.enqueue([data]);
  }

  /** @internal Appends parts contiguously (a message record is never interleaved, §5). */
  enqueue(parts: Uint8Array[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.outClosed || this.halfClosePending) return Promise.reject(new Error(`channel ${this.id} was already ended`));
    for (const p of parts) {
      if (p.length === 0) continue;
      this.out.push(p.slice()); // the caller may reuse its buffer
      this.outBytes += p.length;
      this.queuedTotal += p.length;
    }
    const target = this.queuedTotal;
    this.session.channelHasOutput(this);
    if (this.sentTotal >= target) return Promise.resolve();
    return new Promise((resolve, reject) => this.writeWaiters.push({ target, resolve, reject }));
  }

  /** Half-closes: the peer reads end of stream after every byte written before. */
  end(): void {
    if (this.failure || this.outClosed || this.halfClosePending) return;
    this.halfClosePending = true;
    this.session.channelHasOutput(this);
  }

  /** Reads the next chunk; null at end of stream; rejects with the failure. */
  read(): Promise<Uint8Array | null> {
    if (this.inChunks.length) {
      const chunk = this.inChunks.shift()!;
      this.inBytes -= chunk.length;
      return Promise.resolve(this.consume(chunk));
    }
    if (this.failure && !(this.failure.code === ErrorCode.NO_ERROR && this.inFinished)) return Promise.reject(this.failure);
    if (this.inFinished) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.readWaiters.push({ resolve, reject }));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }

  /** Reads everything up to end of stream. */
  async readAll(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const c of this) parts.push(c);
    return concat(parts);
  }

  /** Stops reading: buffered bytes are dropped and every byte is credited at once from now on (§6). */
  closeInput(): void {
    if (this.discarding) return;
    this.discarding = true;
    const dropped = this.inBytes + this.unreturned;
    this.inChunks = [];
    this.inBytes = 0;
    this.unreturned = 0;
    if (dropped > 0) this.session.sendCredit(this, dropped);
  }

  /** Aborts the channel in both directions (RESET). */
  reset(code: number = ErrorCode.CANCELLED, reason = 'cancelled by the application'): void {
    this.session.resetChannel(this, code, reason);
  }

  // ------------------------------------------------------------ session side

  /** @internal */
  openOk(window: number, metadata: string): void {
    this.state = 'OPEN';
    this.sendWindow = window;
    this.metadata = metadata;
    this.openWaiter?.resolve();
    this.openWaiter = undefined;
  }

  /** @internal DATA arrived (already checked against the window). */
  received(payload: Uint8Array): void {
    this.recvWindow -= payload.length;
    if (this.discarding) {
      if (payload.length) this.session.sendCredit(this, payload.length);
      return;
    }
    if (payload.length === 0) return;
    const chunk = payload.slice(); // the frame buffer may be shared with the next frames
    const waiter = this.readWaiters.shift();
    if (waiter) {
      waiter.resolve(this.consume(chunk));
    } else {
      this.inChunks.push(chunk);
      this.inBytes += chunk.length;
    }
  }

  /** @internal The peer half-closed. */
  finished(): void {
    this.inFinished = true;
    for (const w of this.readWaiters.splice(0)) w.resolve(null);
  }

  /** Credit is returned as the application reads (§6): one CREDIT per half window. */
  private consume(chunk: Uint8Array): Uint8Array {
    this.unreturned += chunk.length;
    if (this.unreturned >= Math.ceil(this.advertisedWindow / 2)) {
      const n = this.unreturned;
      this.unreturned = 0;
      this.session.sendCredit(this, n);
    }
    return chunk;
  }

  /** @internal The next DATA (or HALF_CLOSE) for the writer; undefined when blocked or empty. */
  nextOutput(maxPayload: number, replayRoom: number): { type: FrameType; payload: Uint8Array } | 'replay' | undefined {
    if (this.outBytes > 0) {
      if (this.sendWindow <= 0 || !this.writable()) return undefined;
      const size = Math.min(this.outBytes, this.sendWindow, maxPayload);
      const head = this.out[0];
      const wanted = Math.min(size, head.length - this.outHead);
      // A frame may be cut to the replay room left, but not into slivers: below 4 KiB, wait for acks.
      const room = replayRoom - HEADER_SIZE;
      if (room < Math.min(wanted, 4096)) return 'replay';
      const k = Math.min(wanted, room);
      const payload = head.subarray(this.outHead, this.outHead + k);
      this.outHead += k;
      if (this.outHead === head.length) {
        this.out.shift();
        this.outHead = 0;
      }
      this.outBytes -= k;
      this.sendWindow -= k;
      return { type: FrameType.DATA, payload };
    }
    if (this.halfClosePending && !this.outClosed && this.writable()) {
      if (HEADER_SIZE > replayRoom) return 'replay';
      this.outClosed = true;
      this.halfClosePending = false;
      return { type: FrameType.HALF_CLOSE, payload: new Uint8Array(0) };
    }
    return undefined;
  }

  /** @internal */
  hasOutput(): boolean {
    return (this.outBytes > 0 && this.sendWindow > 0 && this.writable())
      || (this.outBytes === 0 && this.halfClosePending && !this.outClosed && this.writable());
  }

  /** Output may flow once OPEN_OK arrived, until the channel failed. */
  private writable(): boolean {
    return this.state === 'OPEN' && !this.failure;
  }

  /** @internal Bytes of DATA handed to the transport. */
  sent(n: number): void {
    this.sentTotal += n;
    while (this.writeWaiters.length && this.writeWaiters[0].target <= this.sentTotal) this.writeWaiters.shift()!.resolve();
  }

  /** @internal */
  fail(error: TetherError): void {
    if (this.state === 'CLOSED' && this.failure) return;
    this.state = 'CLOSED';
    this.failure = error;
    this.out = [];
    this.outBytes = 0;
    const keepInput = error.code === ErrorCode.NO_ERROR; // after a NO_ERROR GOAWAY, bytes stay readable
    if (!keepInput) {
      this.inChunks = [];
      this.inBytes = 0;
    } else {
      this.inFinished = true;
    }
    this.openWaiter?.reject(error);
    this.openWaiter = undefined;
    for (const w of this.writeWaiters.splice(0)) w.reject(error);
    for (const w of this.readWaiters.splice(0)) keepInput ? w.resolve(null) : w.reject(error);
    this.doneResolve();
  }

  /** @internal Both directions ended normally. */
  close(): void {
    this.state = 'CLOSED';
    this.doneResolve();
  }
}
