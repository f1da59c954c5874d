// The client against the real agent (`tether-remote stdio`): handshake, fs, exec, terminal.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { AgentHome } from './agent.js';
import { ErrorCode, FileSystemError, FsClient, ExecClient, TerminalClient, RpcChannel, Session, TetherError,
  decodeHelloBody, encodeHello, fromUtf8 } from '../src/index.js';
import type { ProcessTransport } from '../src/node.js';

let home: AgentHome;
let transport: ProcessTransport;
let session: Session;

before(async () => {
  home = new AgentHome();
  transport = home.stdio();
  session = await Session.connect(transport);
});

after(async () => {
  await session?.close();
  await transport?.exited;
  await home?.cleanup();
});

test('handshake: the agent answers with a session id, a resume token and the resume capability', async () => {
  assert.match(session.peerHello.agent, /^tether-remote\//);
  assert.equal(session.sessionId.length, 16);
  assert.ok(session.resumable);
  assert.equal(session.peerHello.major, 1);
  const sys = await RpcChannel.open(session, 'sys');
  const info = await sys.request<{ protocolMajor: number; home: string; capabilities: string[] }>('sys/info');
  assert.equal(info.protocolMajor, 1);
  assert.equal(info.home, home.home);
  assert.ok(info.capabilities.includes('fs.write'));
  sys.close();
});

test('an unknown kind is refused with the agent\'s reason', async () => {
  await assert.rejects(session.open('no.such.kind'), (e: TetherError) => e.code === ErrorCode.CHANNEL_REFUSED && /no\.such\.kind/.test(e.reason));
});

test('version skew: a hello of major 2 gets an error hello VERSION_MISMATCH (§2.2)', async () => {
  const other = new AgentHome();
  try {
    const t = other.stdio();
    const reply = new Promise<Uint8Array>((resolve) => {
      let got = new Uint8Array(0);
      t.start({
        data: (c) => {
          got = new Uint8Array([...got, ...c]);
          if (got.length >= 12 && got.length >= 12 + new DataView(got.buffer).getUint32(8)) resolve(got);
        },
        end: () => resolve(got),
      });
    });
    t.write(encodeHello({ major: 2, minor: 0, agent: 'future/9', capabilities: ['resume'], maxFrameSize: 32768, replayLimit: 1 << 20 }));
    const bytes = await reply;
    const hello = decodeHelloBody(bytes[6], bytes[7], bytes.subarray(12));
    assert.equal(hello.error?.code, ErrorCode.VERSION_MISMATCH);
    assert.match(hello.error!.reason, /speaks Tether protocol 2\.0 \(future\/9\), this side speaks 1\.0/);
    await t.exited; // it closes the transport and ends
  } finally {
    await other.cleanup();
  }
});

test('fs: write, read, stat, readDir, rename, delete, typed errors', async () => {
  const fs = new FsClient(session);
  const dir = join(home.home, 'work');
  await fs.mkdir(join(dir, 'a', 'b'));
  const file = join(dir, 'a', 'hello é.txt');
  await fs.writeFile(file, 'hello from TypeScript\n');
  assert.equal(readFileSync(file, 'utf8'), 'hello from TypeScript\n'); // really on the host
  assert.equal(fromUtf8(await fs.readFile(file)), 'hello from TypeScript\n');
  const stat = await fs.stat(file);
  assert.equal(stat.type, 'file');
  assert.equal(stat.size, 22);
  const entries = await fs.readDir(join(dir, 'a'));
  assert.deepEqual(entries.map((e) => [e.name, e.type]), [['b', 'directory'], ['hello é.txt', 'file']]);
  await fs.rename(file, join(dir, 'moved.txt'));
  assert.ok(existsSync(join(dir, 'moved.txt')));
  await assert.rejects(fs.stat(file), (e: FileSystemError) => e.kind === 'FileNotFound' && e.path === file);
  await assert.rejects(fs.readFile(join(dir, 'nope')), (e: FileSystemError) => e.kind === 'FileNotFound' && /^FileNotFound: /.test(e.message));
  await assert.rejects(fs.writeFile(join(dir, 'moved.txt'), 'x', { overwrite: false }), (e: FileSystemError) => e.kind === 'FileExists');
  assert.equal(readFileSync(join(dir, 'moved.txt'), 'utf8'), 'hello from TypeScript\n'); // untouched
  await assert.rejects(fs.delete(join(dir, 'a')), (e: FileSystemError) => e.kind === 'FileIsADirectory');
  await fs.delete(join(dir, 'a'), true);
  assert.ok(!existsSync(join(dir, 'a')));
  assert.equal(await fs.realpath(join(dir, '.', 'moved.txt')), join(dir, 'moved.txt'));
  await fs.close();
});

test('fs.watch: a file created and changed on the host is reported', async () => {
  const fs = new FsClient(session);
  const dir = join(home.home, 'watched');
  await fs.mkdir(dir);
  const watch = await fs.watch(dir, { debounceMillis: 20 });
  assert.equal(watch.mode, 'inotify');
  writeFileSync(join(dir, 'new.txt'), 'x');
  const seen: string[] = [];
  while (!seen.includes(`created ${join(dir, 'new.txt')}`)) {
    const batch = await watch.next();
    assert.ok(batch, 'the watch ended before reporting the file');
    for (const c of batch!) seen.push(`${c.type} ${c.path}`);
  }
  watch.close();
  await fs.close();
});

test('exec: stdout, stderr and the exit status apart; stdin to the process', async () => {
  const exec = await ExecClient.open(session);
  const result = await exec.run({ command: 'echo out; echo err >&2; exit 3' });
  assert.deepEqual(result, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  const cat = await exec.start({ argv: ['tr', 'a-z', 'A-Z'] });
  await cat.stdin.write(new TextEncoder().encode('piped through\n'));
  cat.stdin.end();
  assert.equal(fromUtf8(await cat.stdout.readAll()), 'PIPED THROUGH\n');
  await cat.stderr.readAll();
  assert.equal(await cat.wait(), 0);
  const sleeper = await exec.start({ argv: ['sleep', '60'] });
  await sleeper.signal('TERM');
  await Promise.all([sleeper.stdout.readAll(), sleeper.stderr.readAll()]);
  assert.equal(await sleeper.wait(), 128 + 15);
  exec.close();
});

test('terminal: `echo hi` typed into a PTY shows hi; exit status', async () => {
  const terminals = await TerminalClient.open(session);
  const info = await terminals.create({ argv: ['/bin/sh'], cols: 100, rows: 30 });
  assert.equal(info.cols, 100);
  const view = await terminals.attach(info.id);
  await view.write(new TextEncoder().encode('echo h""i\r'));
  let output = '';
  while (!/(^|\n)hi\r?\n/.test(output)) {
    const chunk = await view.read();
    assert.ok(chunk, `the terminal ended before printing hi; it printed ${JSON.stringify(output)}`);
    output += fromUtf8(chunk!);
  }
  await view.write(new TextEncoder().encode('exit 4\r'));
  assert.equal(await terminals.wait(info.id), 4);
  terminals.close();
});
