// The initiator side of a Tether session (docs/PROTOCOL.md): handshake, frames, channels, credit
// windows, acknowledgements and the replay buffer, keepalive, and resumption on a new transport.
// Single-threaded by construction (one JS event loop): every method runs to completion, so no locks.

import {
  ErrorCode, Flavour, FrameType, HEADER_SIZE, MAJOR, MINOR, DEFAULT_PEER_MAX_FRAME,
  MIN_FRAME, MAX_FRAME, MIN_PEER_REPLAY_LIMIT, REPLAY_CONTROL_RESERVE, RESET_MEMORY, WINDOW_MAX,
  TetherError, concat, decodeCredit, decodeError, decodeOpen, decodeOpenOk, encodeError,
  encodeFrame, encodeHello, encodeOpen, isSequenced, toHex, u32, withAck, codeName,
  type Hello,
} from './protocol.js';
import type { ByteTransport } from './transport.js';
import { Channel, type ChannelOwner } from './channel.js';
import { MessageChannel } from './messages.js';
import { FrameReader, HelloReader, traceLine } from './framing.js';

export { Channel, MessageChannel };

export interface SessionOptions {
  /** Hello tag 1. */
  agent?: string;
  /** Hello tag 2; default ['resume']. */
  capabilities?: string[];
  /** Largest frame payload this side accepts (hello tag 3); 4096..1048576, default 32768. */
  maxFrameSize?: number;
  /** Bytes of unacknowledged frames this side keeps (hello tag 4); default 8 MiB. */
  replayLimit?: number;
  /** Receive window offered in each OPEN; default 1 MiB. */
  initialWindow?: number;
  /** Largest message a MESSAGES channel accepts (§5); default 64 MiB. */
  maxMessageSize?: number;
  ackDelayMs?: number;
  tickIntervalMs?: number;
  pingIntervalMs?: number;
  deadPeerTimeoutMs?: number;
  detachedTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /**
   * Receives one line per frame sent (`>>`) or received (`<<`), as PROTOCOL.md §13 prints them:
   * `>> ch=3 DATA len=16384 seq=912 ack=40`. Off (undefined) by default.
   */
  trace?: (line: string) => void;
  /**
   * Makes a new transport after the old one was lost; with it the session resumes by itself (doubling
   * pauses from 250 ms to 5 s) until it is resumed, refused, or the detached timeout expires.
   */
  reconnect?: () => Promise<ByteTransport>;
}

interface Settings {
  agent: string;
  capabilities: string[];
  maxFrameSize: number;
  replayLimit: number;
  initialWindow: number;
  maxMessageSize: number;
  ackDelayMs: number;
  tickIntervalMs: number;
  pingIntervalMs: number;
  deadPeerTimeoutMs: number;
  detachedTimeoutMs: number;
  handshakeTimeoutMs: number;
}

export type SessionState = 'attached' | 'detached' | 'closed';

export interface SessionEvents {
  detached: (reason: string) => void;
  resumed: () => void;
  closed: (error: TetherError) => void;
  pong: (rttMs: number) => void;
}

type Listener<K extends keyof SessionEvents> = SessionEvents[K];

/** A control frame waiting to be written; sequenced ones get their seq when written (§8.1). */
interface Pending {
  type: FrameType;
  channel: number;
  payload: Uint8Array;
}

interface Held {
  seq: bigint;
  frame: Uint8Array;
  writtenAt: number;
}

const COALESCE = 65536;
/** PROTOCOL.md §10.3: more control frames waiting than this closes the session. */
const MAX_CONTROL_QUEUE = 16384;
const GOAWAY_BACKSTOP_MS = 2000;

function now(): number {
  return performance.now();
}

function unrefTimer(t: unknown): void {
  (t as { unref?: () => void }).unref?.();
}

/**
 * A session as initiator. Create with `Session.connect(transport)`; open channels with `open` or
 * `openMessages`; after a lost transport call `resume(newTransport)` (or pass `reconnect`).
 */
export class Session implements ChannelOwner {
  state: SessionState = 'attached';
  readonly settings: Settings;
  sessionId: Uint8Array = new Uint8Array(0);
  private token: Uint8Array = new Uint8Array(0);
  resumable = false;
  peerHello!: Hello;
  /** Largest DATA payload this side sends (§2.3). */
  frameSize = MIN_FRAME;
  private peerReplayLimit = 0;
  closeError?: TetherError;
  /** Round-trip time of the last PING, in milliseconds. */
  rttMs?: number;

  private transport?: ByteTransport;
  private reader?: FrameReader;

  // sequencing (§8)
  private sendSeq = 0n;
  private received = 0n;
  private lastAckSent = 0n;
  private unackedBytesIn = 0;
  private ackTimer?: ReturnType<typeof setTimeout>;
  private held: Held[] = [];
  private heldBytes = 0;
  private retransmit: Held[] = [];

  // writer (§7)
  private control: Pending[] = [];
  private roundRobin: Channel[] = [];
  private pumping = false;
  private pumpAgain = false;
  private pumpScheduled = false;
  private goaway?: { code: number; reason: string };

  // channels
  private readonly channels = new Map<number, Channel>();
  private nextId = 1;
  private peerHighest = 0;
  private readonly resetIds: number[] = [];
  private readonly resetSet = new Set<number>();

  // keepalive (§9)
  private tickTimer?: ReturnType<typeof setInterval>;
  private lastTick = now();
  private lastPing = now();
  private pingOutstandingSince?: number;
  private lastReceived = now();
  private graceUntil = 0;
  private detachedSince = 0;
  private reconnecting = false;

  private readonly listeners: { [K in keyof SessionEvents]: Listener<K>[] } = { detached: [], resumed: [], closed: [], pong: [] };
  private readonly reconnect?: () => Promise<ByteTransport>;
  private readonly trace?: (line: string) => void;

  private constructor(options: SessionOptions) {
    this.trace = options.trace;
    this.settings = {
      agent: options.agent ?? 'tether-ts/0.1.0',
      capabilities: options.capabilities ?? ['resume'],
      maxFrameSize: options.maxFrameSize ?? 32768,
      replayLimit: options.replayLimit ?? 8 * 1024 * 1024,
      initialWindow: options.initialWindow ?? 1024 * 1024,
      maxMessageSize: options.maxMessageSize ?? 64 * 1024 * 1024,
      ackDelayMs: options.ackDelayMs ?? 20,
      tickIntervalMs: options.tickIntervalMs ?? 1000,
      pingIntervalMs: options.pingIntervalMs ?? 10000,
      deadPeerTimeoutMs: options.deadPeerTimeoutMs ?? 20000,
      detachedTimeoutMs: options.detachedTimeoutMs ?? 600000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 15000,
    };
    const s = this.settings;
    if (s.maxFrameSize < MIN_FRAME || s.maxFrameSize > MAX_FRAME) throw new RangeError(`maxFrameSize must be ${MIN_FRAME}..${MAX_FRAME}`);
    if (s.initialWindow < 1 || s.initialWindow > WINDOW_MAX) throw new RangeError('initialWindow must be 1..2^31-1');
    if (s.replayLimit < MIN_PEER_REPLAY_LIMIT) throw new RangeError(`replayLimit must be at least ${MIN_PEER_REPLAY_LIMIT}`);
    this.reconnect = options.reconnect;
  }

  /** Handshakes on `transport` as initiator (§2.3) and returns the attached session. */
  static async connect(transport: ByteTransport, options: SessionOptions = {}): Promise<Session> {
    const session = new Session(options);
    const s = session.settings;
    const hello: Hello = {
      major: MAJOR, minor: MINOR, agent: s.agent, capabilities: s.capabilities,
      maxFrameSize: s.maxFrameSize, replayLimit: s.replayLimit,
    };
    const reply = await session.handshake(transport, hello);
    session.peerHello = reply.hello;
    if (!reply.hello.sessionId || !reply.hello.resumeToken) {
      transport.close();
      throw new TetherError(ErrorCode.PROTOCOL_ERROR, `${transport.description} answered without a session id and resume token`);
    }
    session.sessionId = reply.hello.sessionId;
    session.token = reply.hello.resumeToken;
    session.resumable = s.capabilities.includes('resume') && reply.hello.capabilities.includes('resume');
    const peerMax = reply.hello.maxFrameSize || DEFAULT_PEER_MAX_FRAME;
    session.frameSize = Math.min(Math.max(Math.min(s.maxFrameSize, peerMax), MIN_FRAME), MAX_FRAME);
    session.peerReplayLimit = Math.max(reply.hello.replayLimit || s.replayLimit, MIN_PEER_REPLAY_LIMIT);
    session.attach(transport, reply.rest);
    session.tickTimer = setInterval(() => session.tick(), s.tickIntervalMs);
    unrefTimer(session.tickTimer);
    return session;
  }

  on<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): void {
    (this.listeners[event] as SessionEvents[K][]).push(listener);
  }

  private emit<K extends keyof SessionEvents>(event: K, ...args: Parameters<SessionEvents[K]>): void {
    for (const l of this.listeners[event]) (l as (...a: unknown[]) => void)(...args);
  }

  get sessionIdHex(): string {
    return toHex(this.sessionId);
  }

  /** Writes our hello on `transport` and reads the peer's, within the handshake timeout (§2.5). */
  private handshake(transport: ByteTransport, hello: Hello): Promise<{ hello: Hello; rest: Uint8Array }> {
    return new Promise((resolve, reject) => {
      const reader = new HelloReader();
      let settled = false;
      const settle = (error?: Error, value?: { hello: Hello; rest: Uint8Array }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          transport.close();
          reject(error);
        } else {
          resolve(value!);
        }
      };
      const timer = setTimeout(() => settle(new TetherError(ErrorCode.PROTOCOL_ERROR,
        `no Tether hello from ${transport.description} within ${Math.round(this.settings.handshakeTimeoutMs / 1000)} s`)),
      this.settings.handshakeTimeoutMs);
      const pendingData: Uint8Array[] = [];
      let pendingEnd: string | undefined;
      transport.start({
        data: (chunk) => {
          if (settled) {
            // frames that came with the hello: kept until attach() installs the frame reader
            if (this.transport === transport) this.onData(transport, chunk);
            else pendingData.push(chunk);
            return;
          }
          try {
            const done = reader.push(chunk);
            if (done) settle(undefined, this.checkReply(transport, done));
          } catch (e) {
            settle(e as Error);
          }
        },
        end: (reason) => {
          if (!settled) {
            try {
              reader.ended();
            } catch (e) {
              const error = e as TetherError;
              settle(new TetherError(error.code, `${error.reason} (${reason})`));
            }
          } else if (this.transport === transport) {
            this.onEnd(transport, reason);
          } else {
            pendingEnd = reason;
          }
        },
      });
      // Data that raced attach() is replayed into the session once it holds this transport.
      this.pendingFor = { transport, data: pendingData, end: () => pendingEnd };
      try {
        const result = transport.write(encodeHello(hello));
        if (result) result.catch(() => undefined);
      } catch {
        // still read: a foreign peer's text or an error hello explains the failure better (§2.5)
      }
    });
  }

  private pendingFor?: { transport: ByteTransport; data: Uint8Array[]; end: () => string | undefined };

  private checkReply(transport: ByteTransport, reply: { hello: Hello; rest: Uint8Array }): { hello: Hello; rest: Uint8Array } {
    const h = reply.hello;
    if (h.error) throw new TetherError(h.error.code, h.error.reason);
    if (h.major !== MAJOR) {
      throw new TetherError(ErrorCode.VERSION_MISMATCH, `${transport.description} speaks Tether protocol ${h.major}.${h.minor} (${h.agent}), `
        + `this side speaks ${MAJOR}.${MINOR}; install the same Tether version on both sides`);
    }
    return reply;
  }

  private attach(transport: ByteTransport, rest: Uint8Array): void {
    this.transport = transport;
    this.reader = new FrameReader(this.settings.maxFrameSize);
    this.state = 'attached';
    const t = now();
    this.lastReceived = t;
    this.lastPing = t;
    this.pingOutstandingSince = undefined;
    this.graceUntil = 0;
    this.unackedBytesIn = 0;
    const pending = this.pendingFor?.transport === transport ? this.pendingFor : undefined;
    this.pendingFor = undefined;
    if (rest.length) this.onData(transport, rest);
    for (const chunk of pending?.data ?? []) this.onData(transport, chunk);
    const ended = pending?.end();
    if (ended !== undefined) this.onEnd(transport, ended);
    this.schedulePump();
  }

  // ------------------------------------------------------------ channels

  /** Opens a channel (§4.1) and waits for OPEN_OK; rejects with the OPEN_FAIL code and reason. */
  async open(kind: string, metadata: unknown = undefined, flavour: Flavour = Flavour.BYTES, window?: number): Promise<Channel> {
    if (this.state === 'closed') throw this.closeError!;
    const id = this.nextId;
    this.nextId += 2;
    const w = window ?? this.settings.initialWindow;
    const meta = metadata === undefined ? '' : typeof metadata === 'string' ? metadata : JSON.stringify(metadata);
    const payload = encodeOpen(w, flavour, kind, meta);
    const channel = new Channel(this, id, kind, flavour, w);
    this.channels.set(id, channel);
    const opened = channel.opened();
    this.queueControl({ type: FrameType.OPEN, channel: id, payload });
    await opened;
    return channel;
  }

  /** Opens a MESSAGES channel (§5). */
  async openMessages(kind: string, metadata: unknown = undefined, window?: number): Promise<MessageChannel> {
    return new MessageChannel(await this.open(kind, metadata, Flavour.MESSAGES, window), this.settings.maxMessageSize);
  }

  /** @internal */
  channelHasOutput(channel: Channel): void {
    if (channel.hasOutput() && !this.roundRobin.includes(channel)) this.roundRobin.push(channel);
    this.schedulePump();
  }

  /** @internal */
  sendCredit(channel: Channel, n: number): void {
    if (this.state === 'closed' || n <= 0) return;
    channel.recvWindow += n;
    this.queueControl({ type: FrameType.CREDIT, channel: channel.id, payload: u32(n) });
  }

  /** @internal */
  resetChannel(channel: Channel, code: number, reason: string): void {
    if (channel.state === 'CLOSED' && !this.channels.has(channel.id)) return;
    this.sendReset(channel.id, code, reason);
    channel.fail(new TetherError(code, reason));
  }

  private sendReset(id: number, code: number, reason: string): void {
    this.forget(id);
    this.rememberReset(id);
    this.queueControl({ type: FrameType.RESET, channel: id, payload: encodeError(code, reason) });
  }

  private rememberReset(id: number): void {
    if (this.resetSet.has(id)) return;
    this.resetIds.push(id);
    this.resetSet.add(id);
    if (this.resetIds.length > RESET_MEMORY) this.resetSet.delete(this.resetIds.shift()!);
  }

  private forget(id: number): void {
    const channel = this.channels.get(id);
    this.channels.delete(id);
    if (channel) {
      const i = this.roundRobin.indexOf(channel);
      if (i >= 0) this.roundRobin.splice(i, 1);
    }
  }

  /**
   * Both directions ended: the channel is finished and forgotten (§11). This side forgets it when its
   * HALF_CLOSE is written (not queued), so CREDIT for DATA still queued ahead of it is not dropped.
   */
  maybeFinished(channel: Channel): void {
    if (channel.outClosed && channel.inFinished && channel.state === 'OPEN') {
      this.channels.delete(channel.id);
      channel.close();
    }
  }

  private knownClosed(id: number): boolean {
    return id % 2 === 1 ? id < this.nextId : id <= this.peerHighest;
  }

  /** §10.4 "unknown channel": drop late frames quietly, answer the rest with RESET UNKNOWN_CHANNEL. */
  private unknownChannel(type: FrameType, id: number, channel?: Channel): void {
    if (!channel) {
      if (this.resetSet.has(id)) return;
      if (type === FrameType.CREDIT && this.knownClosed(id)) return;
      const which = this.knownClosed(id) ? 'which is closed' : 'which was never opened';
      this.sendReset(id, ErrorCode.UNKNOWN_CHANNEL, `${FrameType[type]} for channel ${id}, ${which}`);
      return;
    }
    const reason = `${FrameType[type]} for channel ${id}, in state ${channel.state}`;
    this.resetChannel(channel, ErrorCode.UNKNOWN_CHANNEL, reason);
  }

  // ------------------------------------------------------------ reading

  private onData(transport: ByteTransport, chunk: Uint8Array): void {
    if (transport !== this.transport || this.state !== 'attached') return; // a replaced transport
    this.reader!.push(chunk);
    try {
      for (;;) {
        const frame = this.reader!.next();
        if (!frame) break;
        this.onFrame(frame);
        if (transport !== this.transport || this.state !== 'attached') return;
      }
    } catch (e) {
      if (e instanceof TetherError) this.sessionError(e.code, e.reason);
      else this.sessionError(ErrorCode.INTERNAL_ERROR, `internal error: ${(e as Error).message}`);
    }
  }

  private onEnd(transport: ByteTransport, reason: string): void {
    if (transport !== this.transport || this.state !== 'attached') return;
    this.detach(reason);
  }

  private onFrame(f: { type: number; flags: number; channel: number; seq: bigint; ack: bigint; payload: Uint8Array }): void {
    if (this.trace) this.trace(traceLine('<<', f.type, f.channel, f.payload.length, f.seq, f.ack, f.flags));
    this.lastReceived = now();
    if (f.ack > this.sendSeq) {
      throw new TetherError(ErrorCode.PROTOCOL_ERROR, `peer acknowledged seq ${f.ack} but only ${this.sendSeq} frames were sent`);
    }
    this.release(f.ack);
    const type = f.type as FrameType;
    if (isSequenced(type)) {
      if (f.seq <= this.received) return; // duplicate after a resume
      if (f.seq !== this.received + 1n) {
        throw new TetherError(ErrorCode.PROTOCOL_ERROR, `sequence gap: expected seq ${this.received + 1n}, got ${f.seq}`);
      }
      this.received = f.seq;
      this.countForAck(HEADER_SIZE + f.payload.length);
    }
    switch (type) {
      case FrameType.OPEN: return this.onOpen(f.channel, f.payload);
      case FrameType.OPEN_OK: return this.onOpenOk(f.channel, f.payload);
      case FrameType.OPEN_FAIL: return this.onOpenFail(f.channel, f.payload);
      case FrameType.DATA: return this.onDataFrame(f.channel, f.payload);
      case FrameType.CREDIT: return this.onCredit(f.channel, f.payload);
      case FrameType.HALF_CLOSE: return this.onHalfClose(f.channel);
      case FrameType.RESET: return this.onReset(f.channel, f.payload);
      case FrameType.PING: return this.onPing(f.payload);
      case FrameType.PONG: return this.onPong(f.payload);
      case FrameType.GOAWAY: return this.onGoaway(f.payload);
      case FrameType.ACK: return;
    }
  }

  /** The agent never opens channels today; an initiator without an acceptor refuses them (§4.1, §10.4). */
  private onOpen(id: number, payload: Uint8Array): void {
    if (id % 2 === 1) {
      const reason = `OPEN with channel id ${id} of the wrong parity (the acceptor uses even ids)`;
      const local = this.channels.get(id);
      this.sendReset(id, ErrorCode.PROTOCOL_ERROR, reason);
      local?.fail(new TetherError(ErrorCode.PROTOCOL_ERROR, reason));
      return;
    }
    if (id <= this.peerHighest) {
      this.sendReset(id, ErrorCode.PROTOCOL_ERROR, `OPEN reuses channel id ${id} (ids must increase)`);
      return;
    }
    this.peerHighest = id;
    let kind: string;
    try {
      kind = decodeOpen(payload).kind;
    } catch (e) {
      this.sendReset(id, ErrorCode.PROTOCOL_ERROR, `malformed OPEN frame: ${(e as Error).message}`);
      return;
    }
    this.queueControl({ type: FrameType.OPEN_FAIL, channel: id,
      payload: encodeError(ErrorCode.CHANNEL_REFUSED, `this side accepts no channels (kind '${kind}')`) });
  }

  private onOpenOk(id: number, payload: Uint8Array): void {
    const channel = this.channels.get(id);
    if (!channel || channel.state !== 'OPENING') return this.unknownChannel(FrameType.OPEN_OK, id, channel);
    let ok: { window: number; metadata: string };
    try {
      ok = decodeOpenOk(payload);
    } catch (e) {
      return this.resetChannel(channel, ErrorCode.PROTOCOL_ERROR, `malformed OPEN_OK frame: ${(e as Error).message}`);
    }
    channel.openOk(ok.window, ok.metadata);
    this.channelHasOutput(channel);
  }

  private onOpenFail(id: number, payload: Uint8Array): void {
    const channel = this.channels.get(id);
    if (!channel || channel.state !== 'OPENING') return this.unknownChannel(FrameType.OPEN_FAIL, id, channel);
    let error: { code: number; reason: string };
    try {
      error = decodeError(payload);
    } catch (e) {
      return this.resetChannel(channel, ErrorCode.PROTOCOL_ERROR, `malformed OPEN_FAIL frame: ${(e as Error).message}`);
    }
    this.forget(id);
    channel.fail(new TetherError(error.code, error.reason));
  }

  private onDataFrame(id: number, payload: Uint8Array): void {
    const channel = this.channels.get(id);
    if (!channel || channel.state !== 'OPEN') return this.unknownChannel(FrameType.DATA, id, channel);
    if (channel.inFinished) {
      return this.resetChannel(channel, ErrorCode.PROTOCOL_ERROR, `DATA after HALF_CLOSE on channel ${id}`);
    }
    if (payload.length > channel.recvWindow) {
      return this.resetChannel(channel, ErrorCode.FLOW_CONTROL_ERROR,
        `peer sent ${payload.length} bytes on channel ${id} with only ${channel.recvWindow} bytes of window left`);
    }
    channel.received(payload);
  }

  private onCredit(id: number, payload: Uint8Array): void {
    const channel = this.channels.get(id);
    if (!channel) return this.unknownChannel(FrameType.CREDIT, id);
    let n: number;
    try {
      n = decodeCredit(payload);
    } catch (e) {
      return this.resetChannel(channel, ErrorCode.PROTOCOL_ERROR, `malformed CREDIT frame: ${(e as Error).message}`);
    }
    if (channel.sendWindow + n > WINDOW_MAX) {
      return this.resetChannel(channel, ErrorCode.FLOW_CONTROL_ERROR,
        `credit of ${n} would grow the window to ${channel.sendWindow + n}, past 2^31-1`);
    }
    if (channel.sendWindow === 0 && channel.outBytes > 0) channel.windowStalls++;
    channel.sendWindow += n;
    this.channelHasOutput(channel);
  }

  private onHalfClose(id: number): void {
    const channel = this.channels.get(id);
    if (!channel || channel.state !== 'OPEN') return this.unknownChannel(FrameType.HALF_CLOSE, id, channel);
    if (channel.inFinished) return;
    channel.finished();
    this.maybeFinished(channel);
  }

  private onReset(id: number, payload: Uint8Array): void {
    const channel = this.channels.get(id);
    if (!channel) return; // a RESET for an absent channel is ignored
    let error: { code: number; reason: string };
    try {
      error = decodeError(payload);
    } catch (e) {
      return this.resetChannel(channel, ErrorCode.PROTOCOL_ERROR, `malformed RESET frame: ${(e as Error).message}`);
    }
    this.forget(id);
    channel.fail(new TetherError(error.code, error.reason));
  }

  private onPing(payload: Uint8Array): void {
    if (payload.length !== 8) {
      throw new TetherError(ErrorCode.PROTOCOL_ERROR, `malformed PING: PING/PONG payload of ${payload.length} bytes, expected 8`);
    }
    this.queueControl({ type: FrameType.PONG, channel: 0, payload: payload.slice() });
  }

  private onPong(payload: Uint8Array): void {
    if (payload.length !== 8) {
      throw new TetherError(ErrorCode.PROTOCOL_ERROR, `malformed PONG: PING/PONG payload of ${payload.length} bytes, expected 8`);
    }
    this.pingOutstandingSince = undefined;
    const sent = Number(new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0)) / 1e6;
    const t = now();
    if (sent > 0 && sent <= t) {
      this.rttMs = t - sent;
      this.emit('pong', this.rttMs);
    }
  }

  private onGoaway(payload: Uint8Array): void {
    let error: { code: number; reason: string };
    try {
      error = decodeError(payload);
    } catch (e) {
      throw new TetherError(ErrorCode.PROTOCOL_ERROR, `malformed GOAWAY: ${(e as Error).message}`);
    }
    this.finish(new TetherError(error.code, error.reason));
  }

  // ------------------------------------------------------------ acknowledgements (§8.3)

  private release(ack: bigint): void {
    while (this.held.length && this.held[0].seq <= ack) {
      this.heldBytes -= this.held.shift()!.frame.length;
    }
    this.schedulePump(); // replay room may let channel output move
  }

  private countForAck(size: number): void {
    this.unackedBytesIn += size;
    if (this.unackedBytesIn >= this.peerReplayLimit / 4) {
      this.queueAck();
    } else if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => {
        this.ackTimer = undefined;
        if (this.state === 'attached' && this.received > this.lastAckSent) this.queueAck();
      }, this.settings.ackDelayMs);
    }
  }

  private queueAck(): void {
    if (this.control.some((p) => p.type === FrameType.ACK)) return;
    this.control.unshift({ type: FrameType.ACK, channel: 0, payload: new Uint8Array(0) });
    this.schedulePump();
  }

  // ------------------------------------------------------------ writing (§7)

  private queueControl(p: Pending): void {
    if (this.state === 'closed') return;
    if (this.control.length >= MAX_CONTROL_QUEUE) {
      // A peer that keeps sending PINGs (or frames that need an answer) but does not read the answers.
      this.sessionError(ErrorCode.PROTOCOL_ERROR, `control queue overflow: ${this.control.length} frames waiting to be written `
        + `(limit ${MAX_CONTROL_QUEUE}); the peer sends requests but does not read the answers`);
      return;
    }
    this.control.push(p);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumping) {
      this.pumpAgain = true; // something changed while the pump waited on the transport
      return;
    }
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  /** Writes frames while attached and something is writable, coalescing up to 64 KiB per write. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    this.pumpAgain = false;
    try {
      while (this.state === 'attached' && this.transport) {
        const transport = this.transport;
        const batch: Uint8Array[] = [];
        let size = 0;
        while (size < COALESCE) {
          const frame = this.nextFrame();
          if (!frame) break;
          if (this.trace) this.traceOut(frame);
          batch.push(frame);
          size += frame.length;
        }
        if (batch.length === 0) {
          if (this.goaway) this.writeGoaway(transport);
          break;
        }
        this.unackedBytesIn = 0; // every frame carries the current ack
        const wait = transport.write(batch.length === 1 ? batch[0] : concat(batch));
        if (wait) await wait;
      }
    } finally {
      this.pumping = false;
    }
    // Only a change (new output, CREDIT, an ack, a resume) calls for another round: rescheduling on
    // "has output" alone would spin while the output waits for acks.
    if (this.pumpAgain && this.state === 'attached') this.schedulePump();
  }

  /** The next encoded frame by the §7 order, or undefined when nothing can be written now. */
  private nextFrame(): Uint8Array | undefined {
    while (this.retransmit.length) {
      const h = this.retransmit.shift()!;
      if (this.held.length && h.seq >= this.held[0].seq) {
        h.writtenAt = now();
        this.lastAckSent = this.received;
        return withAck(h.frame, this.received);
      }
    }
    if (this.control.length) {
      const p = this.control.shift()!;
      return this.encode(p.type, p.channel, p.payload, true);
    }
    if (this.goaway && this.goaway.code !== ErrorCode.NO_ERROR) return undefined;
    const room = this.settings.replayLimit - REPLAY_CONTROL_RESERVE - this.heldBytes;
    while (this.roundRobin.length) {
      const channel = this.roundRobin[0];
      const out = channel.nextOutput(this.frameSize, room);
      if (out === 'replay') return undefined; // wait for acks
      if (!out) {
        this.roundRobin.shift();
        continue;
      }
      this.roundRobin.shift();
      if (channel.hasOutput()) this.roundRobin.push(channel);
      const frame = this.encode(out.type, channel.id, out.payload, false);
      if (out.type === FrameType.DATA) channel.sent(out.payload.length);
      else this.maybeFinished(channel);
      return frame;
    }
    return undefined;
  }

  private encode(type: FrameType, channel: number, payload: Uint8Array, control: boolean): Uint8Array {
    this.lastAckSent = this.received;
    if (!isSequenced(type)) return encodeFrame(type, channel, 0n, this.received, payload);
    const size = HEADER_SIZE + payload.length;
    if (control && this.heldBytes + size > this.settings.replayLimit) {
      const reason = `replay buffer overflow: ${this.heldBytes} bytes unacknowledged (limit ${this.settings.replayLimit}); the peer stopped acknowledging`;
      queueMicrotask(() => this.sessionError(ErrorCode.REPLAY_OVERFLOW, reason));
    }
    this.sendSeq += 1n;
    const frame = encodeFrame(type, channel, this.sendSeq, this.received, payload);
    this.held.push({ seq: this.sendSeq, frame, writtenAt: now() });
    this.heldBytes += frame.length;
    return frame;
  }

  private traceOut(frame: Uint8Array): void {
    const v = new DataView(frame.buffer, frame.byteOffset, HEADER_SIZE);
    this.trace!(traceLine('>>', v.getUint8(0), v.getUint32(2), v.getUint32(6), v.getBigUint64(10), v.getBigUint64(18), 0));
  }

  private writeGoaway(transport: ByteTransport): void {
    const g = this.goaway!;
    this.goaway = undefined;
    const goaway = encodeFrame(FrameType.GOAWAY, 0, 0n, this.received, encodeError(g.code, g.reason));
    if (this.trace) this.traceOut(goaway);
    transport.write(goaway);
    transport.close();
    this.finish(new TetherError(g.code, g.reason));
  }

  // ------------------------------------------------------------ keepalive (§9)

  private tick(): void {
    const t = now();
    if (t - this.lastTick > 3 * this.settings.tickIntervalMs) this.graceUntil = t + this.settings.deadPeerTimeoutMs;
    this.lastTick = t;
    if (this.state === 'attached') {
      if (t - this.lastPing >= this.settings.pingIntervalMs) this.ping();
      const oldest = this.held.length ? this.held[0].writtenAt : undefined;
      const waiting = [oldest, this.pingOutstandingSince].filter((x): x is number => x !== undefined);
      const timeout = this.settings.deadPeerTimeoutMs;
      if (waiting.length && t >= this.graceUntil && t - Math.min(...waiting) >= timeout && t - this.lastReceived >= timeout) {
        this.detach(`no answer from the peer for ${Math.round(timeout / 1000)} s`);
      }
    } else if (this.state === 'detached' && t - this.detachedSince >= this.settings.detachedTimeoutMs) {
      this.finish(new TetherError(ErrorCode.SESSION_EXPIRED,
        `not resumed within ${Math.round(this.settings.detachedTimeoutMs / 1000)} s after the transport broke`));
    }
  }

  /** Sends a PING now (normally every ping interval); the PONG updates `rttMs`. */
  ping(): void {
    if (this.state !== 'attached') return;
    const t = now();
    this.lastPing = t;
    if (this.pingOutstandingSince === undefined) this.pingOutstandingSince = t;
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setBigUint64(0, BigInt(Math.max(1, Math.round(t * 1e6))));
    this.queueControl({ type: FrameType.PING, channel: 0, payload });
  }

  // ------------------------------------------------------------ detaching and resuming (§8)

  /** Treats the transport as lost (what a dead peer or an ended stream does). */
  detach(reason: string): void {
    if (this.state !== 'attached') return;
    const transport = this.transport!;
    this.transport = undefined;
    transport.close();
    if (!this.resumable) {
      this.finish(new TetherError(ErrorCode.PROTOCOL_ERROR, `transport lost and the session is not resumable: ${reason}`));
      return;
    }
    this.state = 'detached';
    this.detachedSince = now();
    this.control = this.control.filter((p) => isSequenced(p.type)); // PING, PONG, ACK die with the transport
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.emit('detached', reason);
    if (this.reconnect) void this.reconnectLoop();
  }

  /** Resumes the detached session on a new transport (§2.4); nothing sent either way is lost. */
  async resume(transport: ByteTransport): Promise<void> {
    if (this.state === 'closed') throw this.closeError!;
    if (this.state !== 'detached') throw new Error('the session is not detached');
    if (!this.resumable) throw new TetherError(ErrorCode.PROTOCOL_ERROR, 'this session was not negotiated as resumable');
    const s = this.settings;
    let reply: { hello: Hello; rest: Uint8Array };
    try {
      reply = await this.handshake(transport, {
        major: MAJOR, minor: MINOR, agent: s.agent, capabilities: s.capabilities, maxFrameSize: s.maxFrameSize,
        replayLimit: s.replayLimit, sessionId: this.sessionId, resumeToken: this.token, received: this.received,
      });
    } catch (e) {
      if (e instanceof TetherError && (e.code === ErrorCode.UNKNOWN_SESSION || e.code === ErrorCode.SESSION_EXPIRED)) {
        this.finish(e); // refused for good
      }
      throw e;
    }
    if (this.state !== 'detached') {
      transport.close();
      throw this.closeError ?? new Error('the session is not detached');
    }
    const peerReceived = reply.hello.received;
    if (peerReceived === undefined) {
      transport.close();
      throw new TetherError(ErrorCode.PROTOCOL_ERROR, `${transport.description} answered a resume without its received counter`);
    }
    const lowest = this.held.length ? this.held[0].seq : this.sendSeq + 1n;
    if (peerReceived < lowest - 1n || peerReceived > this.sendSeq) {
      transport.close();
      const error = new TetherError(ErrorCode.PROTOCOL_ERROR,
        `cannot resume: peer has received up to seq ${peerReceived} but frames ${lowest}..${this.sendSeq} are all this side still holds`);
      this.finish(error);
      throw error;
    }
    this.release(peerReceived);
    this.retransmit = this.held.slice();
    this.attach(transport, reply.rest);
    this.emit('resumed');
  }

  private async reconnectLoop(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let pause = 0;
    try {
      while (this.state === 'detached') {
        if (pause) await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause ? pause * 2 : 250, 5000);
        if (this.state !== 'detached') break;
        try {
          await this.resume(await this.reconnect!());
        } catch {
          // refused for good closes the session; other failures retry
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  // ------------------------------------------------------------ closing (§10)

  /** Closes the session: queued output first when NO_ERROR, then GOAWAY (§4.10). */
  close(code: number = ErrorCode.NO_ERROR, reason = 'closed'): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (this.state === 'detached') {
      this.finish(new TetherError(code, reason));
      return Promise.resolve();
    }
    if (code !== ErrorCode.NO_ERROR) {
      this.control = [];
      this.retransmit = [];
    }
    this.goaway = { code, reason };
    this.schedulePump();
    // A transport that never drains must not hold the close: the GOAWAY backstop of §4.10.
    const backstop = setTimeout(() => this.finish(new TetherError(code, reason)), GOAWAY_BACKSTOP_MS);
    return new Promise((resolve) => this.on('closed', () => {
      clearTimeout(backstop);
      resolve();
    }));
  }

  /** A violation by the peer: GOAWAY with the reason, then the session is gone (§10.2). */
  private sessionError(code: number, reason: string): void {
    if (this.state === 'closed') return;
    const transport = this.transport;
    if (this.state === 'attached' && transport) {
      const goaway = encodeFrame(FrameType.GOAWAY, 0, 0n, this.received, encodeError(code, reason));
      if (this.trace) this.traceOut(goaway);
      transport.write(goaway);
      transport.close();
    }
    this.finish(new TetherError(code, reason));
  }

  private finish(error: TetherError): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeError = error;
    const transport = this.transport;
    this.transport = undefined;
    transport?.close();
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.control = [];
    this.retransmit = [];
    this.held = [];
    for (const channel of this.channels.values()) channel.fail(error);
    this.channels.clear();
    this.emit('closed', error);
  }

  /** For diagnostics and tests: counters of the replay buffer and sequencing. */
  stats(): { sent: bigint; received: bigint; heldFrames: number; heldBytes: number; channels: number } {
    return { sent: this.sendSeq, received: this.received, heldFrames: this.held.length, heldBytes: this.heldBytes, channels: this.channels.size };
  }

  toString(): string {
    return `session ${this.sessionIdHex.slice(0, 8)} (${this.state}${this.closeError ? `, ${codeName(this.closeError.code)}` : ''})`;
  }
}
