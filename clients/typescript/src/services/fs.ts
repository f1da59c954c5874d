// The host's files (docs/FS.md): `fs` JSON-RPC for metadata, `fs.read`/`fs.write` byte channels for
// content, `fs.watch` message channel for changes.

import { Channel, type Session } from '../session.js';
import { ErrorCode, TetherError, fromUtf8 } from '../protocol.js';
import { RpcChannel, RpcError } from '../jsonrpc.js';

export type FileSystemErrorKind = 'FileNotFound' | 'FileExists' | 'FileNotADirectory' | 'FileIsADirectory' | 'NoPermissions' | 'Unavailable';

const KINDS: FileSystemErrorKind[] = ['FileNotFound', 'FileExists', 'FileNotADirectory', 'FileIsADirectory', 'NoPermissions', 'Unavailable'];

/** A typed file-system error: `kind` to switch on, the path, and the agent's text (`Kind: /path (detail)`). */
export class FileSystemError extends Error {
  constructor(readonly kind: FileSystemErrorKind, readonly path: string, message: string) {
    super(message);
    this.name = 'FileSystemError';
  }

  /** Rebuilds the kind from an OPEN_FAIL/RESET reason's prefix or a JSON-RPC error's data (FS.md "Errors"). */
  static from(error: unknown, path: string): Error {
    if (error instanceof RpcError && error.code === -32050) {
      const data = error.data as { kind?: string; path?: string } | undefined;
      const kind = KINDS.find((k) => k === data?.kind) ?? 'Unavailable';
      return new FileSystemError(kind, data?.path ?? path, error.message);
    }
    if (error instanceof TetherError && error.code === ErrorCode.SERVICE_ERROR) {
      const kind = KINDS.find((k) => error.reason.startsWith(`${k}:`)) ?? 'Unavailable';
      return new FileSystemError(kind, path, error.reason);
    }
    return error as Error;
  }
}

export interface FileStat {
  type: 'file' | 'directory' | 'symlink' | 'other';
  symlink: boolean;
  size: number;
  mtimeMillis: number;
  ctimeMillis: number;
  mode: number;
}

export interface DirEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mtimeMillis: number;
  mode: number;
}

export interface WatchOptions {
  recursive?: boolean;
  excludes?: string[];
  poll?: boolean;
  pollIntervalMillis?: number;
  debounceMillis?: number;
}

export interface FileChange {
  type: 'created' | 'changed' | 'deleted';
  path: string;
}

/** A running watch: iterate for batches of changes; `close()` stops it on the host. */
export class Watch {
  readonly mode: 'inotify' | 'polling';
  readonly warning?: string;
  /** `{"warning"}` messages that arrived between batches. */
  readonly warnings: string[] = [];

  constructor(private readonly channel: import('../session.js').MessageChannel) {
    const meta = JSON.parse(channel.metadata || '{}') as { mode: 'inotify' | 'polling'; warning?: string };
    this.mode = meta.mode;
    this.warning = meta.warning;
  }

  /** The next batch of changes; null when the watch ended. */
  async next(): Promise<FileChange[] | null> {
    for (;;) {
      const body = await this.channel.receive();
      if (body === null) return null;
      const msg = JSON.parse(fromUtf8(body)) as { changes?: FileChange[]; warning?: string };
      if (msg.warning) this.warnings.push(msg.warning);
      if (msg.changes) return msg.changes;
    }
  }

  close(): void {
    this.channel.channel.reset(ErrorCode.CANCELLED, 'watch closed');
  }
}

const FILE_TYPES = ['file', 'directory', 'symlink', 'other'] as const;

/** A file type by name (FS.md); older agents sent its number (0 file, 1 directory, 2 symlink, 3 other). */
function fileType(type: unknown): FileStat['type'] {
  return typeof type === 'number' ? FILE_TYPES[type] ?? 'other' : (type as FileStat['type']);
}

export class FsClient {
  private rpc?: Promise<RpcChannel>;

  constructor(private readonly session: Session) {}

  async stat(path: string): Promise<FileStat> {
    const stat = await this.call<FileStat>('fs/stat', { path }, path);
    return { ...stat, type: fileType(stat.type) };
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const entries = await this.call<DirEntry[]>('fs/readDir', { path }, path);
    return entries.map((e) => ({ ...e, type: fileType(e.type) }));
  }

  mkdir(path: string): Promise<void> {
    return this.call('fs/mkdir', { path }, path);
  }

  delete(path: string, recursive = false): Promise<void> {
    return this.call('fs/delete', { path, recursive }, path);
  }

  rename(from: string, to: string, overwrite = false): Promise<void> {
    return this.call('fs/rename', { from, to, overwrite }, from);
  }

  copy(from: string, to: string, overwrite = false): Promise<void> {
    return this.call('fs/copy', { from, to, overwrite }, from);
  }

  realpath(path: string): Promise<string> {
    return this.call('fs/realpath', { path }, path);
  }

  /** Opens a file's content as a byte channel; `metadata` is `{"size": N}`. */
  async openRead(path: string, window?: number): Promise<Channel> {
    try {
      return await this.session.open('fs.read', { path }, undefined, window);
    } catch (e) {
      throw FileSystemError.from(e, path);
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    const channel = await this.openRead(path);
    try {
      return await channel.readAll();
    } catch (e) {
      throw FileSystemError.from(e, path);
    }
  }

  /**
   * Replaces a file atomically (FS.md `fs.write`): `content` is written (an async iterable streams with
   * back-pressure), then the channel half-closed; resolves when the agent ended its side (renamed).
   */
  async writeFile(path: string, content: Uint8Array | string | AsyncIterable<Uint8Array>,
    options: { create?: boolean; overwrite?: boolean } = {}): Promise<void> {
    let channel: Channel;
    try {
      channel = await this.session.open('fs.write', { path, create: options.create ?? true, overwrite: options.overwrite ?? true });
    } catch (e) {
      throw FileSystemError.from(e, path);
    }
    try {
      if (typeof content === 'string') await channel.write(new TextEncoder().encode(content));
      else if (content instanceof Uint8Array) await channel.write(content);
      else for await (const chunk of content) await channel.write(chunk);
      channel.end();
      while ((await channel.read()) !== null) {
        // the agent sends nothing; its end of stream says the file is in place
      }
    } catch (e) {
      if (!channel.failure) channel.reset(ErrorCode.CANCELLED, 'write abandoned');
      throw FileSystemError.from(e, path);
    }
  }

  async watch(path: string, options: WatchOptions = {}): Promise<Watch> {
    try {
      return new Watch(await this.session.openMessages('fs.watch', { path, ...options }));
    } catch (e) {
      throw FileSystemError.from(e, path);
    }
  }

  /** Ends the `fs` channel. */
  async close(): Promise<void> {
    if (this.rpc) (await this.rpc).close();
    this.rpc = undefined;
  }

  private async call<T>(method: string, params: unknown, path: string): Promise<T> {
    if (!this.rpc) {
      this.rpc = RpcChannel.open(this.session, 'fs');
      this.rpc.catch(() => (this.rpc = undefined));
    }
    try {
      return await (await this.rpc).request<T>(method, params);
    } catch (e) {
      throw FileSystemError.from(e, path);
    }
  }
}
