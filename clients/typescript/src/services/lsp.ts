// A language server on the host (docs/SERVICES.md `lsp`) as vscode-jsonrpc's MessageReader and
// MessageWriter, so vscode-jsonrpc, vscode-languageclient or monaco-languageclient plug in directly.
// The channel carries bare JSON-RPC bodies (§5, §12): no Content-Length framing on this side.

import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message,
  type MessageReader, type MessageWriter } from 'vscode-jsonrpc';
import type { MessageChannel, Session } from '../session.js';
import { fromUtf8 } from '../protocol.js';

export interface LspOptions {
  /** A catalog name on the host (`pylsp`, `clangd`, …) … */
  server?: string;
  /** … or an argv. */
  command?: string[];
  cwd?: string;
  env?: Record<string, string>;
}

export class ChannelMessageReader extends AbstractMessageReader implements MessageReader {
  private callback?: DataCallback;
  private started = false;

  constructor(private readonly channel: MessageChannel) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    if (!this.started) {
      this.started = true;
      void this.readLoop();
    }
    return { dispose: () => (this.callback = undefined) };
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const body of this.channel) {
        let message: Message;
        try {
          message = JSON.parse(fromUtf8(body)) as Message;
        } catch (e) {
          this.fireError(new Error(`language server sent a message that is not JSON: ${(e as Error).message}`));
          continue;
        }
        this.callback?.(message);
      }
    } catch (e) {
      this.fireError(e);
    }
    this.fireClose();
  }
}

export class ChannelMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;

  constructor(private readonly channel: MessageChannel) {
    super();
  }

  async write(msg: Message): Promise<void> {
    try {
      await this.channel.send(JSON.stringify(msg));
    } catch (e) {
      this.errorCount++;
      this.fireError(e, msg, this.errorCount);
      throw e;
    }
  }

  /** Half-closes the channel: the agent then stops the server (after shutdown/exit if not sent). */
  end(): void {
    this.channel.end();
  }
}

export interface LspConnection {
  channel: MessageChannel;
  reader: ChannelMessageReader;
  writer: ChannelMessageWriter;
  /** OPEN_OK metadata: the server's pid and argv on the host. */
  server: { pid: number; command: string[] };
}

/** Starts a language server on the host and returns its reader and writer. */
export async function openLsp(session: Session, options: LspOptions): Promise<LspConnection> {
  const channel = await session.openMessages('lsp', options);
  return {
    channel,
    reader: new ChannelMessageReader(channel),
    writer: new ChannelMessageWriter(channel),
    server: JSON.parse(channel.metadata || '{}'),
  };
}
