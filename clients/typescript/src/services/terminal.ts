// Terminals on the host (docs/TERMINALS.md): `terminal` JSON-RPC, `terminal.io` byte channels.

import type { Channel, Session } from '../session.js';
import { RpcChannel } from '../jsonrpc.js';

export interface TerminalInfo {
  id: string;
  pid: number;
  command: string[];
  cols: number;
  rows: number;
  alive: boolean;
  exitCode: number | null;
  attachments: number;
}

export interface CreateTerminal {
  argv?: string[];
  command?: string;
  cwd?: string;
  env?: Record<string, string>;
  term?: string;
  cols?: number;
  rows?: number;
}

export class TerminalClient {
  private constructor(private readonly session: Session, readonly rpc: RpcChannel) {}

  static async open(session: Session): Promise<TerminalClient> {
    return new TerminalClient(session, await RpcChannel.open(session, 'terminal'));
  }

  create(params: CreateTerminal = {}): Promise<TerminalInfo> {
    return this.rpc.request('terminal/create', params);
  }

  list(): Promise<TerminalInfo[]> {
    return this.rpc.request('terminal/list');
  }

  resize(id: string, cols: number, rows: number): Promise<TerminalInfo> {
    return this.rpc.request('terminal/resize', { id, cols, rows });
  }

  kill(id: string, signal = 'HUP'): Promise<TerminalInfo> {
    return this.rpc.request('terminal/kill', { id, signal });
  }

  /** The exit status, once the process exited and its last output reached every attachment. */
  async wait(id: string): Promise<number> {
    return (await this.rpc.request<{ exitCode: number }>('terminal/wait', { id })).exitCode;
  }

  /**
   * Attaches: the channel yields the scrollback, then live output, then end of stream when the process
   * exited; bytes written are typed into the PTY; `end()` detaches and leaves the terminal running.
   */
  attach(id: string): Promise<Channel> {
    return this.session.open('terminal.io', { id });
  }

  close(): void {
    this.rpc.close();
  }
}
