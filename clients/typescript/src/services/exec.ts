// Processes on the host (docs/TERMINALS.md "Processes"): `exec` JSON-RPC, `exec.io` byte channels.

import type { Channel, Session } from '../session.js';
import { RpcChannel } from '../jsonrpc.js';

export interface StartProcess {
  argv?: string[];
  command?: string;
  cwd?: string;
  env?: Record<string, string>;
}

export interface ProcessInfo {
  id: string;
  pid: number;
  command: string[];
  alive: boolean;
}

/** A started process: its three streams as byte channels, its signal and exit status. */
export class ExecProcess {
  constructor(private readonly client: ExecClient, readonly info: ProcessInfo, readonly stdin: Channel,
    readonly stdout: Channel, readonly stderr: Channel) {}

  get id(): string {
    return this.info.id;
  }

  signal(signal: string): Promise<ProcessInfo> {
    return this.client.rpc.request('exec/signal', { id: this.info.id, signal });
  }

  /** The exit status (128 + N for signal N), after stdout and stderr were delivered. */
  async wait(): Promise<number> {
    return (await this.client.rpc.request<{ exitCode: number }>('exec/wait', { id: this.info.id })).exitCode;
  }
}

export class ExecClient {
  private constructor(private readonly session: Session, readonly rpc: RpcChannel) {}

  static async open(session: Session): Promise<ExecClient> {
    return new ExecClient(session, await RpcChannel.open(session, 'exec'));
  }

  /** Starts a process and opens its stdin, stdout and stderr (both outputs at once, so neither pipe fills). */
  async start(params: StartProcess): Promise<ExecProcess> {
    const info = await this.rpc.request<ProcessInfo>('exec/start', params);
    const [stdin, stdout, stderr] = await Promise.all(['stdin', 'stdout', 'stderr']
      .map((stream) => this.session.open('exec.io', { id: info.id, stream })));
    return new ExecProcess(this, info, stdin, stdout, stderr);
  }

  /** Runs a command to its end: stdin closed, both outputs collected. */
  async run(params: StartProcess): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const p = await this.start(params);
    p.stdin.end();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    const [out, err] = await Promise.all([p.stdout.readAll(), p.stderr.readAll()]);
    return { exitCode: await p.wait(), stdout: decode(out), stderr: decode(err) };
  }

  /** Ends the `exec` channel, and with it every process it started. */
  close(): void {
    this.rpc.close();
  }
}
