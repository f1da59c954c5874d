// The workbench `tether web` serves: one Tether session per page, opened by @tether/client over the
// page's WebSocket (`/session`, spliced by tether web to the agent of the destination). A file tree
// (fs, refreshed by fs.watch), an editor (CodeMirror 6) fed by a language server on the host (lsp),
// save back to the host (fs.write), a terminal on the host (xterm.js over terminal.io), and the extensions
// the workspace declares in `.tether/extensions.json` (ext/list on sys, refreshed when the watch sees it).

import '@xterm/xterm/css/xterm.css';
import './style.css';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, hoverTooltip, type Tooltip } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching } from '@codemirror/language';
import { python } from '@codemirror/lang-python';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { FsClient, RpcChannel, Session, TerminalClient, WebSocketTransport, listExtensions, type Channel, type DirEntry, type FileChange } from '../../typescript/src/index.js';
import { LspClient, fileUri, pathOf, type Diagnostic, type Location, type Position } from './lsp.js';

const $ = (id: string) => document.getElementById(id)!;

// ---- status bar: the connection is always visible, never a silent freeze ----

/** Every status shown, in order (a reconnect can take less time than a person needs to read it). */
const statusLog: string[] = [];

function status(text: string, kind: 'info' | 'ok' | 'warn' | 'error' = 'info'): void {
  statusLog.push(text);
  const el = $('status');
  el.title = statusLog.slice(-20).join('\n');
  el.textContent = text;
  el.className = kind;
}

async function openSession(): Promise<Session> {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/session`;
  const connect = () => WebSocketTransport.connect(url);
  const session = await Session.connect(await connect(), { reconnect: connect });
  session.on('detached', (reason) => status(`connection lost — reconnecting (${reason})`, 'warn'));
  session.on('resumed', () => status('resumed', 'ok'));
  session.on('closed', (e) => status(`session ended: ${e.message} — reload the page to start a new one`, 'error'));
  return session;
}

// ---- file tree ----

class FileTree {
  private readonly expanded = new Set<string>();

  constructor(private readonly fs: FsClient, private readonly root: string, private readonly open: (path: string) => void) {}

  async show(): Promise<void> {
    this.expanded.add(this.root);
    await this.refresh();
  }

  /** Re-reads every expanded directory (after a watch batch). */
  async refresh(): Promise<void> {
    const list = await this.list(this.root, 0);
    $('tree').replaceChildren(...list);
  }

  private async list(dir: string, depth: number): Promise<HTMLElement[]> {
    let entries: DirEntry[];
    try {
      entries = await this.fs.readDir(dir);
    } catch (e) {
      const err = document.createElement('div');
      err.className = 'tree-error';
      err.textContent = (e as Error).message;
      return [err];
    }
    entries.sort((a, b) => (a.type === 'directory' ? 0 : 1) - (b.type === 'directory' ? 0 : 1) || a.name.localeCompare(b.name));
    const out: HTMLElement[] = [];
    for (const entry of entries) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      const item = document.createElement('div');
      item.className = `entry ${entry.type}`;
      item.dataset.path = path;
      item.style.paddingLeft = `${0.5 + depth}em`;
      const isDir = entry.type === 'directory';
      item.textContent = `${isDir ? (this.expanded.has(path) ? '▾ ' : '▸ ') : ''}${entry.name}`;
      item.onclick = () => {
        if (!isDir) return this.open(path);
        if (this.expanded.has(path)) this.expanded.delete(path);
        else this.expanded.add(path);
        void this.refresh();
      };
      out.push(item);
      if (isDir && this.expanded.has(path)) out.push(...(await this.list(path, depth + 1)));
    }
    return out;
  }
}

// ---- editor ----

const SEVERITY: CmDiagnostic['severity'][] = ['error', 'error', 'warning', 'info', 'hint'];

class Editor {
  view?: EditorView;
  path?: string;
  private diagnostics = new Map<string, Diagnostic[]>();
  private changeTimer?: ReturnType<typeof setTimeout>;
  private dirty = false;

  constructor(private readonly fs: FsClient, private lsp?: LspClient) {}

  setLsp(lsp: LspClient): void {
    this.lsp = lsp;
    lsp.onDiagnostics = (uri, diagnostics) => {
      this.diagnostics.set(uri, diagnostics);
      if (this.path && fileUri(this.path) === uri) this.showProblems();
    };
    if (this.path && this.view) void lsp.didOpen(fileUri(this.path), this.view.state.doc.toString());
  }

  async open(path: string, at?: Position): Promise<void> {
    if (path !== this.path) {
      let text: string;
      try {
        text = new TextDecoder().decode(await this.fs.readFile(path));
      } catch (e) {
        status(`cannot open ${path}: ${(e as Error).message}`, 'error');
        return;
      }
      this.path = path;
      this.dirty = false;
      this.view?.destroy();
      this.view = new EditorView({ state: EditorState.create({ doc: text, extensions: this.extensions(path) }), parent: $('editor') });
      $('path').textContent = path;
      ($('save') as HTMLButtonElement).disabled = false;
      const uri = fileUri(path);
      if (this.lsp) {
        if (this.lsp.isOpen(uri)) await this.lsp.didChange(uri, text);
        else await this.lsp.didOpen(uri, text);
      }
      this.showProblems();
    }
    if (at && this.view) {
      const line = this.view.state.doc.line(Math.min(at.line + 1, this.view.state.doc.lines));
      const pos = Math.min(line.from + at.character, line.to);
      this.view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    }
    this.view?.focus();
  }

  async save(): Promise<void> {
    if (!this.view || !this.path) return;
    const path = this.path;
    try {
      await this.fs.writeFile(path, this.view.state.doc.toString());
      this.dirty = false;
      if (this.path === path) $('path').textContent = path;
      status(`saved ${path}`, 'ok');
      await this.lsp?.didSave(fileUri(path));
    } catch (e) {
      status(`cannot save ${path}: ${(e as Error).message}`, 'error');
    }
  }

  private extensions(path: string): Extension[] {
    const uri = fileUri(path);
    return [
      lineNumbers(), highlightActiveLine(), history(), indentOnInput(), bracketMatching(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      path.endsWith('.py') ? python() : [],
      lintGutter(),
      linter(() => this.cmDiagnostics(uri), { delay: 0 }),
      hoverTooltip((view, pos) => this.hover(view, uri, pos)),
      autocompletion({ override: [(ctx) => this.complete(ctx, uri)] }),
      keymap.of([
        { key: 'Mod-s', preventDefault: true, run: () => (void this.save(), true) },
        { key: 'F12', run: (view) => (void this.definition(view, uri), true) },
        ...defaultKeymap, ...historyKeymap,
      ]),
      EditorView.updateListener.of((update) => {
        if (update.selectionSet || update.docChanged) this.showCursor(update.view);
        if (update.docChanged) this.changed(uri, update.view);
      }),
    ];
  }

  private changed(uri: string, view: EditorView): void {
    this.dirty = true;
    $('path').textContent = `${this.path} ●`;
    clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => void this.lsp?.didChange(uri, view.state.doc.toString()), 200);
  }

  private showCursor(view: EditorView): void {
    const head = view.state.selection.main.head;
    const line = view.state.doc.lineAt(head);
    $('cursor').textContent = `Ln ${line.number}, Col ${head - line.from + 1}`;
    if (!this.dirty) $('path').textContent = this.path ?? '';
  }

  private offset(view: EditorView, p: Position): number {
    const line = view.state.doc.line(Math.min(p.line + 1, view.state.doc.lines));
    return Math.min(line.from + p.character, line.to);
  }

  private position(view: EditorView, pos: number): Position {
    const line = view.state.doc.lineAt(pos);
    return { line: line.number - 1, character: pos - line.from };
  }

  private cmDiagnostics(uri: string): CmDiagnostic[] {
    const view = this.view;
    if (!view) return [];
    return (this.diagnostics.get(uri) ?? []).map((d) => ({
      from: this.offset(view, d.range.start),
      to: Math.max(this.offset(view, d.range.end), this.offset(view, d.range.start)),
      severity: SEVERITY[d.severity ?? 1] ?? 'error',
      message: d.message,
      source: d.source,
    }));
  }

  /** The problems list under the editor, and the editor's own marks. */
  private showProblems(): void {
    const view = this.view;
    const diagnostics = this.path ? this.diagnostics.get(fileUri(this.path)) ?? [] : [];
    $('problems').replaceChildren(...diagnostics.map((d) => {
      const li = document.createElement('li');
      li.className = SEVERITY[d.severity ?? 1] ?? 'error';
      li.textContent = `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.source ? `[${d.source}] ` : ''}${d.message}`;
      li.onclick = () => this.path && void this.open(this.path, d.range.start);
      return li;
    }));
    if (view) {
      // Re-run the linter so the marks follow the new diagnostics at once.
      view.dispatch({});
      import('@codemirror/lint').then(({ forceLinting }) => forceLinting(view));
    }
  }

  private async hover(view: EditorView, uri: string, pos: number): Promise<Tooltip | null> {
    if (!this.lsp) return null;
    const result = await this.lsp.request<{ contents: unknown } | null>('textDocument/hover',
      { textDocument: { uri }, position: this.position(view, pos) }).catch(() => null);
    const text = result ? hoverText(result.contents).trim() : '';
    if (!text) return null;
    return {
      pos,
      create: () => {
        const dom = document.createElement('div');
        dom.className = 'hover';
        dom.textContent = text;
        return { dom };
      },
    };
  }

  private async complete(ctx: CompletionContext, uri: string): Promise<CompletionResult | null> {
    const word = ctx.matchBefore(/[\w.]*/);
    if (!this.lsp || (!ctx.explicit && (!word || word.from === word.to))) return null;
    const view = this.view;
    if (!view) return null;
    // The server must see the text being completed: send it now rather than after the change delay.
    clearTimeout(this.changeTimer);
    await this.lsp.didChange(uri, ctx.state.doc.toString());
    const result = await this.lsp.request<{ items: CompletionItem[] } | CompletionItem[] | null>('textDocument/completion',
      { textDocument: { uri }, position: this.position(view, ctx.pos) }).catch(() => null);
    const items = Array.isArray(result) ? result : result?.items ?? [];
    const from = ctx.matchBefore(/\w*/)?.from ?? ctx.pos;
    return {
      from,
      options: items.map((item) => ({ label: item.label, apply: item.insertText ?? item.label, detail: item.detail })),
      validFor: /^\w*$/,
    };
  }

  private async definition(view: EditorView, uri: string): Promise<void> {
    if (!this.lsp) return;
    const result = await this.lsp.request<Location | Location[] | { targetUri: string; targetSelectionRange: Location['range'] }[] | null>(
      'textDocument/definition', { textDocument: { uri }, position: this.position(view, view.state.selection.main.head) });
    const first = Array.isArray(result) ? result[0] : result;
    if (!first) {
      status('no definition found', 'info');
      return;
    }
    const target = 'targetUri' in first ? { uri: first.targetUri, range: first.targetSelectionRange } : first;
    await this.open(pathOf(target.uri), target.range.start);
  }
}

interface CompletionItem { label: string; insertText?: string; detail?: string }

function hoverText(contents: unknown): string {
  if (typeof contents === 'string') return contents;
  if (Array.isArray(contents)) return contents.map(hoverText).join('\n');
  if (contents && typeof contents === 'object' && 'value' in contents) return String((contents as { value: unknown }).value);
  return '';
}

// ---- terminal ----

async function openTerminal(session: Session, cwd: string): Promise<void> {
  const term = new Terminal({ convertEol: false, fontSize: 13, scrollback: 2000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open($('terminal'));
  fit.fit();
  const terminals = await TerminalClient.open(session);
  const info = await terminals.create({ cwd, cols: term.cols, rows: term.rows, term: 'xterm-256color' });
  const io: Channel = await terminals.attach(info.id);
  const encoder = new TextEncoder();
  term.onData((data) => void io.write(encoder.encode(data)));
  term.onResize(({ cols, rows }) => void terminals.resize(info.id, cols, rows).catch(() => {}));
  new ResizeObserver(() => fit.fit()).observe($('terminal'));
  (async () => {
    for await (const chunk of io) term.write(chunk);
    term.write('\r\n[the terminal ended]\r\n');
  })().catch((e) => term.write(`\r\n[terminal: ${(e as Error).message}]\r\n`));
}

// ---- workspace extensions ----

/** Counts the calls of showExtensions, so an answer overtaken by a later call's is dropped. */
let extensionsAsked = 0;

/** Shows what `ext/list` says the workspace declares: names and framing, one line per bad entry. */
async function showExtensions(session: Session, root: string): Promise<void> {
  const asked = ++extensionsAsked;
  const item = (text: string, className: string) => {
    const li = document.createElement('li');
    li.className = className;
    li.textContent = text;
    return li;
  };
  let items: HTMLElement[];
  try {
    const list = await listExtensions(session, root);
    items = [...list.extensions.map((e) => item(`${e.name} (${e.framing})`, 'extension')), ...list.problems.map((p) => item(p, 'error'))];
    if (items.length === 0) items = [item(list.exists ? 'none declared' : `none declared (no ${list.manifest})`, 'none')];
  } catch (e) {
    items = [item((e as Error).message, 'error')];
  }
  if (asked !== extensionsAsked) return;
  $('extensions').replaceChildren(...items);
}

/**
 * Whether a batch of changes may touch the manifest (or its directory, created or deleted whole). By suffix, so
 * a root spelled through a symlink still matches; a nested directory's `.tether` only costs one more ext/list.
 */
function touchesManifest(changes: FileChange[]): boolean {
  return changes.some((c) => c.path.endsWith('/.tether') || c.path.endsWith('/.tether/extensions.json'));
}

// ---- start ----

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as { destination: string; workspace?: string };
  $('destination').textContent = config.destination;
  status(`connecting to ${config.destination}…`);
  const session = await openSession();
  let root = config.workspace;
  if (!root) {
    const sys = await RpcChannel.open(session, 'sys');
    root = (await sys.request<{ home: string }>('sys/info')).home;
    sys.close();
  }
  status(`connected to ${config.destination}`, 'ok');
  const fs = new FsClient(session);
  const editor = new Editor(fs);
  const tree = new FileTree(fs, root, (path) => void editor.open(path));
  ($('save') as HTMLButtonElement).onclick = () => void editor.save();
  await tree.show();
  await showExtensions(session, root);
  void watch(fs, root, tree, () => void showExtensions(session, root));
  void openTerminal(session, root).catch((e) => status(`cannot open a terminal: ${(e as Error).message}`, 'error'));
  $('lsp').textContent = 'pylsp: starting…';
  try {
    const lsp = await LspClient.start(session, 'pylsp', root);
    editor.setLsp(lsp);
    $('lsp').textContent = `pylsp: running (pid ${lsp.pid} on the host)`;
  } catch (e) {
    $('lsp').textContent = `pylsp: ${(e as Error).message}`;
  }
  // For the browser test: read-only views of what the page shows, and where a word is on screen.
  (window as unknown as { workbench: unknown }).workbench = {
    text: () => editor.view?.state.doc.toString() ?? null,
    statusLog: () => [...statusLog],
    coordsOf: (needle: string, nth = 0) => {
      const view = editor.view;
      if (!view) return null;
      let at = -1;
      for (let i = 0; i <= nth; i++) at = view.state.doc.toString().indexOf(needle, at + 1);
      if (at < 0) return null;
      view.dispatch({ effects: EditorView.scrollIntoView(at) });
      const c = view.coordsAtPos(at + 1);
      return c ? { x: (c.left + c.right) / 2, y: (c.top + c.bottom) / 2 } : null;
    },
  };
  document.body.dataset.ready = 'true';
}

async function watch(fs: FsClient, root: string, tree: FileTree, manifestChanged: () => void): Promise<void> {
  try {
    const w = await fs.watch(root, { recursive: true, excludes: ['.git', 'node_modules', '__pycache__'] });
    for (let changes; (changes = await w.next()) !== null; ) {
      if (touchesManifest(changes)) manifestChanged();
      await tree.refresh();
    }
  } catch (e) {
    status(`file watch stopped: ${(e as Error).message}`, 'warn');
  }
}

main().catch((e) => status(`cannot start: ${(e as Error).message}`, 'error'));
