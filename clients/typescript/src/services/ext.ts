// Workspace extensions (docs/SERVICES.md `ext`): a JSON-RPC program the workspace declares in
// `.tether/extensions.json` on the host, or an argv, started next to the code. Its messages arrive as
// whole JSON-RPC bodies whatever its framing on the host, through vscode-jsonrpc's MessageReader and
// MessageWriter, as with `openLsp`. `listExtensions` asks the agent's `sys` channel (`ext/list`).

import type { MessageChannel, Session } from '../session.js';
import { RpcChannel } from '../jsonrpc.js';
import { ChannelMessageReader, ChannelMessageWriter } from './lsp.js';

/** How the program frames JSON-RPC on its stdio on the host. */
export type ExtensionFraming = 'content-length' | 'newline';

/** A declared extension by name (the workspace is an absolute directory on the host) … */
export interface NamedExtension {
  workspace: string;
  name: string;
}

/** … or an argv, run without a shell. */
export interface CommandExtension {
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  framing?: ExtensionFraming;
}

export interface ExtensionConnection {
  channel: MessageChannel;
  reader: ChannelMessageReader;
  writer: ChannelMessageWriter;
  /** OPEN_OK metadata: the name it was opened by, its pid (process group leader) and argv on the host. */
  extension: { name: string; pid: number; framing: ExtensionFraming; command: string[] };
}

/** The answer of `ext/list`. */
export interface ExtensionList {
  /** The manifest's absolute path on the host. */
  manifest: string;
  /** False when the workspace has no manifest (it declares nothing). */
  exists: boolean;
  extensions: { name: string; argv: string[]; cwd: string; framing: ExtensionFraming }[];
  /** One line per entry that cannot be opened, naming the file and the field. */
  problems: string[];
}

/**
 * Starts an extension on the host. A manifest error, an unknown name or a program that cannot start
 * rejects with a TetherError carrying the agent's reason. `writer.end()` closes its stdin; closing
 * or resetting the channel ends its process group.
 */
export async function openExtension(session: Session, options: NamedExtension | CommandExtension): Promise<ExtensionConnection> {
  const channel = await session.openMessages('ext', options);
  return {
    channel,
    reader: new ChannelMessageReader(channel),
    writer: new ChannelMessageWriter(channel),
    extension: JSON.parse(channel.metadata || '{}'),
  };
}

/** The extensions `workspace` declares, with the problems of its bad entries; starts nothing. */
export async function listExtensions(session: Session, workspace: string): Promise<ExtensionList> {
  const rpc = await RpcChannel.open(session, 'sys');
  try {
    return await rpc.request<ExtensionList>('ext/list', { workspace });
  } finally {
    rpc.close();
  }
}
