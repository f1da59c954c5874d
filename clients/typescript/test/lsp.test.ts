// A real language server on the host (pylsp, Debian's python3-pylsp) through vscode-jsonrpc's
// MessageConnection over the client's MessageReader/MessageWriter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createMessageConnection } from 'vscode-jsonrpc';
import { AgentHome } from './agent.js';
import { Session, openLsp } from '../src/index.js';

interface Diagnostic { message: string; source?: string; range: { start: { line: number; character: number } } }

test('lsp: pylsp on the host gives a pyflakes diagnostic and a hover through vscode-jsonrpc', async () => {
  const home = new AgentHome();
  const transport = home.stdio();
  try {
    const session = await Session.connect(transport);
    const file = join(home.home, 'app.py');
    const text = 'import os\n\n\ndef greet(name):\n    """Says hello to NAME."""\n    return "hi " + name\n\n\ngreet("x")\n';
    writeFileSync(file, text);
    const lsp = await openLsp(session, { command: ['/usr/bin/python3', '-m', 'pylsp'], cwd: home.home });
    assert.ok(lsp.server.pid > 0);
    const connection = createMessageConnection(lsp.reader, lsp.writer);
    const uri = pathToFileURL(file).href;
    const diagnostics = new Promise<Diagnostic[]>((resolve) => {
      connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: Diagnostic[] }) => {
        if (params.uri === uri && params.diagnostics.length) resolve(params.diagnostics);
      });
    });
    connection.onRequest(() => null); // workspace/configuration and the like
    connection.listen();
    const init = await connection.sendRequest<{ capabilities: { hoverProvider?: boolean } }>('initialize', {
      processId: process.pid, rootUri: pathToFileURL(home.home).href, capabilities: {}, workspaceFolders: null,
    });
    assert.ok(init.capabilities.hoverProvider);
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const found = await diagnostics;
    assert.ok(found.some((d) => d.message === "'os' imported but unused" && d.range.start.line === 0),
      `no pyflakes diagnostic for the unused import: ${JSON.stringify(found)}`);
    const hover = await connection.sendRequest<{ contents: unknown } | null>('textDocument/hover',
      { textDocument: { uri }, position: { line: 8, character: 1 } });
    assert.match(JSON.stringify(hover?.contents), /Says hello to NAME/);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    lsp.writer.end();
    await lsp.channel.channel.done; // the server exited and the agent ended the channel
    connection.dispose();
    await session.close();
    await transport.exited;
  } finally {
    await home.cleanup();
  }
});
