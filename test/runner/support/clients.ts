// RocketMQ's own Java producer and consumer (test/runner/java/TransferClients.java) as child
// processes that keep working while a transfer runs; they report every message they acknowledge
// or receive, so a test can tell whether one was lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Credentials } from '../../../hooks/rocketmq/signature.js';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../../../hooks/rocketmq-pods/acl.js';
import { rocketmqLibDir } from '../../support/rocketmq.js';

const source = resolve(dirname(fileURLToPath(import.meta.url)), '../java/TransferClients.java');
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

function exec(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/** Compiles the clients against the harness's jars once per source version; returns the class directory. */
export async function compileClients(): Promise<string> {
  const lib = rocketmqLibDir();
  const digest = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const out = join(dirname(lib), 'transfer-clients', digest);
  if (existsSync(join(out, 'TransferClients.class'))) return out;
  const staging = `${out}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const jars = readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => join(lib, f));
  const result = await exec('javac', ['-nowarn', '-d', staging, '-cp', jars.join(':'), source]);
  if (result.code !== 0) throw new Error(`javac TransferClients.java failed:\n${result.output}`);
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  return out;
}

class JavaClient {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private readonly home = mkdtempSync(join(tmpdir(), 'transfer-client-'));
  protected output: string[] = [];

  constructor(classes: string, args: string[], onLine: (words: string[]) => void, account?: Credentials) {
    // The variables TransferClients.java signs with, for brokers that authenticate requests.
    const signing = account && { [ACCESS_KEY_ENV]: account.accessKey, [SECRET_KEY_ENV]: account.secretKey };
    this.child = spawn(
      'java',
      [
        '-Xms32m',
        '-Xmx128m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Djava.net.preferIPv4Stack=true',
        `-Duser.home=${this.home}`,
        // Rebalance every second, not every 20 s, so consumers pick up the target's queues quickly.
        '-Drocketmq.client.rebalance.waitInterval=1000',
        '-cp',
        `${classes}:${join(rocketmqLibDir(), '*')}`,
        'TransferClients',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...signing } },
    );
    running.add(this.child);
    this.exited = new Promise((r) =>
      this.child.once('exit', (code) => (running.delete(this.child), rmSync(this.home, { recursive: true, force: true }), r(code))),
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.output.push(line);
      onLine(line.split(' '));
    });
    this.child.stderr!.on('data', (d) => this.output.push(String(d)));
  }

  /** The last lines it printed, for failure messages. */
  tail(lines = 20): string {
    return this.output.slice(-lines).join('\n');
  }
}

export class TestProducer extends JavaClient {
  /** Acknowledged ids → broker that stored them. */
  readonly sent = new Map<string, string>();
  readonly done: Promise<void>;

  constructor(
    classes: string,
    nameServer: string,
    topic: string,
    count: number,
    intervalMs: number,
    prefix: string,
    account?: Credentials,
  ) {
    super(
      classes,
      ['produce', nameServer, topic, String(count), String(intervalMs), prefix],
      ([word, id, broker]) => {
        if (word === 'SENT') this.sent.set(id, broker);
      },
      account,
    );
    this.done = this.exited.then((code) => {
      if (code !== 0) throw new Error(`producer ${prefix} exited with ${code}:\n${this.tail()}`);
    });
  }

  /** Waits until it is under way, so a transfer started now runs while it sends. */
  async sentAtLeast(count: number): Promise<void> {
    while (this.sent.size < count) {
      if (this.child.exitCode !== null) throw new Error(`producer exited after ${this.sent.size} messages:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export class TestConsumer extends JavaClient {
  /** Received ids → brokers they came from (more than one delivery is allowed: at least once). */
  readonly received = new Map<string, Set<string>>();
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((r) => (this.readyResolve = r));

  constructor(classes: string, nameServer: string, topic: string, group: string, account?: Credentials) {
    super(
      classes,
      ['consume', nameServer, topic, group],
      ([word, id, broker]) => {
        if (word === 'READY') this.readyResolve();
        if (word === 'RECV') this.received.set(id, new Set([...(this.received.get(id) ?? []), broker]));
      },
      account,
    );
  }

  /** Waits until every message sent (id → broker) was received; fails listing the missing ones. */
  async receivedAll(sent: Map<string, string>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = [...sent.keys()].filter((id) => !this.received.has(id));
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        const examples = missing.slice(0, 5).map((id) => `${id} (stored on ${sent.get(id)})`);
        throw new Error(`${missing.length} of ${sent.size} messages never arrived, e.g. ${examples.join(', ')}\n${this.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** SIGTERM: the consumer commits its offsets and stops. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
