'use strict';
// Drives `tether dap` (through the wrapper script given as the first argument) with a third-party DAP
// client: @vscode/debugadapter-testsupport's DebugClient, the library VS Code's own adapters test with.
// Run by DebugClientTest (conformance-tests), which writes the wrapper and the programs.
const assert = require('assert');
const path = require('path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

async function main() {
  const [wrapper, app, lineText, remoteDir, exitText] = process.argv.slice(2);
  const line = Number(lineText);
  const dc = new DebugClient('/bin/sh', wrapper, 'debugpy', {}, true);
  dc.defaultTimeout = 60000;
  await dc.start();
  try {
    await dc.hitBreakpoint(
      { program: app, cwd: path.dirname(app), console: 'internalConsole', justMyCode: false },
      { path: app, line });
    const threadId = (await dc.threadsRequest()).body.threads[0].id;
    const stack = await dc.stackTraceRequest({ threadId });
    const top = stack.body.stackFrames[0];
    dc.assertPath(top.source.path, app, 'top frame in the client\'s path');
    assert.strictEqual(top.line, line);
    const value = await dc.evaluateRequest({ expression: 'a + b', frameId: top.id, context: 'repl' });
    assert.strictEqual(value.body.result, '3');
    await Promise.all([dc.nextRequest({ threadId }), dc.assertStoppedLocation('step', { path: app, line: line + 1 })]);
    const exited = dc.waitForEvent('exited');
    await Promise.all([
      dc.continueRequest({ threadId }),
      dc.assertOutput('stdout', 'result 3 cwd ' + remoteDir),
      dc.waitForEvent('terminated'),
    ]);
    assert.strictEqual((await exited).body.exitCode, Number(exitText));
  } finally {
    await dc.stop();
  }
  console.log('debugclient: breakpoint, stackTrace, evaluate, next, output, exit code: ok');
}

main().catch((e) => {
  console.error('debugclient: FAILED: ' + ((e && e.stack) || e));
  process.exit(1);
});
