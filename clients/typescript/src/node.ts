// Node transports: a child process's stdin/stdout (how `tether-remote stdio` is reached) and any pair of
// Node streams (an SSH channel's, a socket's). Import from '@tether/client/node'; the core needs none of it.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { ByteTransport, TransportHandlers } from './transport.js';

/** A transport over a readable and a writable Node stream, with the writable's back-pressure. */
export class StreamTransport implements ByteTransport {
  private handlers?: TransportHandlers;
  private ended = false;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly input: Readable, private readonly output: Writable, readonly description: string) {
    output.on('drain', () => this.wake());
    output.on('error', (e) => this.end(`write failed: ${e.message}`));
    output.on('close', () => this.wake());
  }

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.input.on('data', (chunk: Buffer) => {
      if (!this.ended) handlers.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    this.input.on('end', () => this.end(`the transport ended (${this.description})`));
    this.input.on('error', (e) => this.end(`read failed: ${e.message}`));
    this.input.on('close', () => this.end(`the transport ended (${this.description})`));
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.ended || this.output.destroyed) return;
    if (this.output.write(chunk)) return;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(): void {
    if (!this.output.destroyed) this.output.end();
    this.input.destroy();
    this.end(`the transport ended (${this.description})`);
  }

  private wake(): void {
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
    this.handlers?.end(reason);
  }
}

/** A child process whose stdin/stdout carry the session, e.g. `java -jar tether-remote.jar stdio`. */
export class ProcessTransport extends StreamTransport {
  readonly exited: Promise<number | null>;

  private constructor(readonly process: ChildProcess, description: string) {
    super(process.stdout!, process.stdin!, description);
    this.exited = new Promise((resolve) => {
      if (process.exitCode !== null || process.signalCode !== null) resolve(process.exitCode);
      else process.once('exit', (code) => resolve(code));
    });
  }

  /** Spawns `command args`; stderr goes to ours unless `options.stdio[2]` says otherwise. */
  static spawn(command: string, args: string[], options: SpawnOptions = {}): ProcessTransport {
    const stderr = Array.isArray(options.stdio) ? options.stdio[2] : 'inherit';
    const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', stderr ?? 'inherit'] });
    return new ProcessTransport(child, `stdio of ${command} (pid ${child.pid})`);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }
}
