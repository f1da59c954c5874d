// Starts the real agent (`tether-remote`) for the tests, each in a HOME of its own, and ends every
// process it started by pid.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessTransport } from '../src/node.js';

/** The agent jar: $TETHER_AGENT_JAR, else bridge-remote/target/tether-remote.jar of this checkout. */
export function agentJar(): string {
  const jar = process.env.TETHER_AGENT_JAR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bridge-remote', 'target', 'tether-remote.jar');
  if (!existsSync(jar)) {
    throw new Error(`the agent jar is missing at ${jar}: build it with 'mvn -B -ntp -q -DskipTests package -pl bridge-remote -am' `
      + 'at the repository root, or set TETHER_AGENT_JAR');
  }
  return jar;
}

/** The CLI jar: $TETHER_JAR, else bridge-local/target/tether.jar of this checkout. */
export function cliJar(): string {
  const jar = process.env.TETHER_JAR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bridge-local', 'target', 'tether.jar');
  if (!existsSync(jar)) {
    throw new Error(`the tether CLI jar is missing at ${jar}: build it with 'mvn -B -ntp -q -DskipTests package -pl bridge-local -am' `
      + 'at the repository root, or set TETHER_JAR');
  }
  return jar;
}

export function java(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** A private HOME with the processes started in it; `cleanup()` ends them by pid and removes it. */
export class AgentHome {
  readonly home = mkdtempSync(join(tmpdir(), 'tether-ts-'));
  readonly socket = join(this.home, 'agent.sock');
  private readonly processes: ChildProcess[] = [];

  env(): NodeJS.ProcessEnv {
    return { ...process.env, HOME: this.home };
  }

  private stderr(name: string): number {
    return openSync(join(this.home, `${name}.stderr`), 'a');
  }

  /** `tether-remote stdio`: one session on the child's stdin/stdout. */
  stdio(): ProcessTransport {
    const err = this.stderr('stdio');
    const t = ProcessTransport.spawn(java(), ['-jar', agentJar(), 'stdio', '--log', join(this.home, 'agent.log')],
      { env: this.env(), stdio: ['pipe', 'pipe', err] });
    closeSync(err);
    this.processes.push(t.process);
    return t;
  }

  /** `tether-remote daemon` on this home's socket; resolves once the socket exists. */
  async daemon(): Promise<ChildProcess> {
    const err = this.stderr('daemon');
    const child = spawn(java(), ['-jar', agentJar(), 'daemon', '--socket', this.socket, '--idle', '600', '--log', join(this.home, 'daemon.log')],
      { env: this.env(), stdio: ['ignore', 'ignore', err] });
    closeSync(err);
    this.processes.push(child);
    const deadline = Date.now() + 30000;
    while (!existsSync(this.socket)) {
      if (child.exitCode !== null) throw new Error(`the agent daemon exited with ${child.exitCode}: ${this.log('daemon.stderr')}`);
      if (Date.now() > deadline) throw new Error(`the agent daemon did not create ${this.socket} within 30 s`);
      await new Promise((r) => setTimeout(r, 50)); // polling observable state (the socket file), bounded
    }
    return child;
  }

  /** `tether-remote stdio --daemon`: a relay to this home's agent daemon, as the SSH bootstrap starts it. */
  relay(): ProcessTransport {
    const err = this.stderr('relay');
    const t = ProcessTransport.spawn(java(), ['-jar', agentJar(), 'stdio', '--daemon', '--socket', this.socket,
      '--log', join(this.home, 'relay.log')], { env: this.env(), stdio: ['pipe', 'pipe', err] });
    closeSync(err);
    this.processes.push(t.process);
    return t;
  }

  /**
   * `tether-remote serve` on a free loopback port, with this home's token file (made 0600 by the agent):
   * resolves with the URL the agent prints and the token it wrote, once it says it is serving.
   */
  async serve(): Promise<{ url: string; token: string }> {
    const tokenFile = join(this.home, 'token');
    const child = spawn(java(), ['-jar', agentJar(), 'serve', '--listen', '127.0.0.1:0', '--token-file', tokenFile,
      '--log', join(this.home, 'serve.log')], { env: this.env(), stdio: ['ignore', 'ignore', 'pipe'] });
    this.processes.push(child);
    let said = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tether-remote serve said no "serving" line within 30 s: ${said}`)), 30000);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        said += text;
        const serving = /serving (ws:\/\/\S+)/.exec(said);
        if (serving) {
          clearTimeout(timer);
          resolve(serving[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tether-remote serve exited with ${code}: ${said}`));
      });
    });
    return { url, token: readFileSync(tokenFile, 'utf8').trim() };
  }

  /**
   * `tether conformance peer` on a free loopback port with this home's token file: resolves once it
   * prints the URL it listens on; its verdict lines (one per connection) arrive through `verdicts`.
   */
  async conformancePeer(): Promise<ConformancePeer> {
    const tokenFile = join(this.home, 'peer-token');
    const child = spawn(java(), ['-jar', cliJar(), 'conformance', 'peer', '--listen', 'ws://127.0.0.1:0', '--token-file', tokenFile],
      { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.processes.push(child);
    const peer = new ConformancePeer(child);
    const url = await peer.listening();
    return Object.assign(peer, { url, token: readFileSync(tokenFile, 'utf8').trim() });
  }

  log(name: string): string {
    try {
      return readFileSync(join(this.home, name), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Ends every process this home started, by pid: SIGCONT (a test may have stopped one), SIGTERM so the
   * agent stops what it started, SIGKILL after 10 s; waits for each exit.
   */
  async cleanup(): Promise<void> {
    await Promise.all(this.processes.map((p) => new Promise<void>((done) => {
      if (p.exitCode !== null || p.signalCode !== null) return done();
      const timer = setTimeout(() => signal(p, 'SIGKILL'), 10000);
      p.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      signal(p, 'SIGCONT');
      signal(p, 'SIGTERM');
    })));
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** A running `tether conformance peer`: its URL and token, and the verdict lines it prints. */
export class ConformancePeer {
  url = '';
  token = '';
  /** Every line printed so far (stdout and stderr), for failure messages. */
  said = '';
  /** Every verdict line so far: `PASS|FAIL|INFO scenario #N: text`. */
  readonly lines: string[] = [];
  private taken = 0;
  private wake?: () => void;

  constructor(private readonly child: ChildProcess) {
    let partial = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      this.said += text;
      partial += text;
      const complete = partial.split('\n');
      partial = complete.pop()!;
      for (const line of complete) if (/^(PASS|FAIL|INFO) /.test(line)) this.lines.push(line);
      this.wake?.();
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.said += text;
    });
    child.once('exit', () => this.wake?.());
  }

  /** Resolves with the URL once the peer says it is listening. */
  async listening(): Promise<string> {
    return this.until(() => /listening on (ws:\/\/\S+)/.exec(this.said)?.[1], 'a "listening on" line');
  }

  /** The next verdict line not yet taken, in the order printed. */
  async next(): Promise<string> {
    const line = await this.until(() => this.lines[this.taken], 'a verdict line');
    this.taken++;
    return line;
  }

  private until<T>(found: () => T | undefined, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tether conformance peer printed no ${what} within 60 s: ${this.said}`)), 60000);
      const check = () => {
        const value = found();
        if (value !== undefined) {
          clearTimeout(timer);
          this.wake = undefined;
          resolve(value);
        } else if (this.child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`tether conformance peer exited with ${this.child.exitCode}: ${this.said}`));
        }
      };
      this.wake = check;
      check();
    });
  }
}

function signal(p: ChildProcess, name: NodeJS.Signals): void {
  try {
    process.kill(p.pid!, name);
  } catch {
    // already gone
  }
}
