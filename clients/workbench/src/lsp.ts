// A small LSP client over @tether/client's lsp channel (the same `lsp` channel `tether lsp` opens): the
// agent starts the server on the host next to the files; this side sends requests and notifications,
// answers the server's own requests with null, and hands diagnostics to a listener.

import { openLsp, type LspConnection, type Session } from '../../typescript/src/index.js';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Diagnostic { range: Range; severity?: number; message: string; source?: string }
export interface Location { uri: string; range: Range }

type Message = { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { message: string } };

export class LspClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly versions = new Map<string, number>();
  onDiagnostics: (uri: string, diagnostics: Diagnostic[]) => void = () => {};
  /** What the server offers (from `initialize`). */
  capabilities: Record<string, unknown> = {};

  private constructor(private readonly connection: LspConnection) {
    connection.reader.listen((message) => this.received(message as Message));
    connection.reader.onClose(() => this.fail(new Error('the language server ended')));
    connection.reader.onError((e) => console.warn('lsp:', e));
  }

  /** Starts `server` (a catalog name such as pylsp) on the host, in `root`, and initializes it. */
  static async start(session: Session, server: string, root: string): Promise<LspClient> {
    const client = new LspClient(await openLsp(session, { server, cwd: root }));
    const rootUri = fileUri(root);
    const result = await client.request<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: null,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: root }],
      capabilities: {
        textDocument: {
          synchronization: { didSave: true },
          publishDiagnostics: {},
          hover: { contentFormat: ['plaintext', 'markdown'] },
          completion: { completionItem: { snippetSupport: false, documentationFormat: ['plaintext'] } },
          definition: {},
        },
      },
    });
    client.capabilities = result.capabilities;
    await client.notify('initialized', {});
    return client;
  }

  get pid(): number {
    return this.connection.server.pid;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.connection.writer.write({ jsonrpc: '2.0', id, method, params } as never).catch(reject);
    });
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.writer.write({ jsonrpc: '2.0', method, params } as never);
  }

  didOpen(uri: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    return this.notify('textDocument/didOpen', { textDocument: { uri, languageId: languageOf(uri), version: 1, text } });
  }

  didChange(uri: string, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    return this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  didSave(uri: string): Promise<void> {
    return this.notify('textDocument/didSave', { textDocument: { uri } });
  }

  isOpen(uri: string): boolean {
    return this.versions.has(uri);
  }

  private received(message: Message): void {
    if (message.method !== undefined) {
      if (message.id !== undefined) {
        // A request from the server (configuration, registerCapability, progress): nothing to offer.
        void this.connection.writer.write({ jsonrpc: '2.0', id: message.id, result: null } as never);
      } else if (message.method === 'textDocument/publishDiagnostics') {
        const p = message.params as { uri: string; diagnostics: Diagnostic[] };
        this.onDiagnostics(p.uri, p.diagnostics);
      }
      return;
    }
    const waiter = typeof message.id === 'number' ? this.waiting.get(message.id) : undefined;
    if (!waiter) return;
    this.waiting.delete(message.id as number);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result ?? null);
  }

  private fail(error: Error): void {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }
}

export function fileUri(path: string): string {
  return 'file://' + path.split('/').map(encodeURIComponent).join('/');
}

export function pathOf(uri: string): string {
  return decodeURIComponent(uri.replace(/^file:\/\//, ''));
}

function languageOf(uri: string): string {
  return uri.endsWith('.py') ? 'python' : 'plaintext';
}
