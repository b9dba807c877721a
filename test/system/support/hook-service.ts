// The hook service of this build as a real process (`node dist/hooks/main.js`) on a loopback port;
// it can be killed and started again on the same port. Its request counters are read from /metrics
// before each stop, so hook errors are counted over restarts.
import { join } from 'node:path';
import { freePort } from '../../support/ports.js';
import { repoRoot } from './binaries.js';
import { startDaemon, until, type Daemon } from './processes.js';

export interface HookCounts {
  /** "<kind> <hook> <outcome>" → requests */
  [key: string]: number;
}

export class HookService {
  private daemon?: Daemon;
  private carried: HookCounts = {};
  private starts = 0;

  private constructor(
    readonly port: number,
    private readonly logDir: string,
  ) {}

  static async start(logDir: string): Promise<HookService> {
    const service = new HookService(await freePort(), logDir);
    await service.restart();
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.starts++;
    this.daemon = startDaemon('hooks', process.execPath, [join(repoRoot, 'dist/hooks/main.js')], {
      log: join(this.logDir, `hooks-${this.starts}.log`),
      cwd: repoRoot,
      env: { ...process.env, PORT: String(this.port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_DELAY_SECONDS: '0', NODE_OPTIONS: '' },
    });
    const daemon = this.daemon;
    await until('the hook service', 30_000, async () => {
      if (daemon.child.exitCode !== null) throw new Error(`hook service exited:\n${daemon.tail()}`);
      return (await fetch(`${this.url}/readyz`)).ok;
    });
  }

  /** SIGKILL: no graceful shutdown, in-flight requests are lost. */
  async kill(): Promise<void> {
    await this.collect();
    this.daemon?.child.kill('SIGKILL');
    await this.daemon?.exited;
  }

  async stop(): Promise<void> {
    await this.collect().catch(() => undefined);
    await this.daemon?.stop();
  }

  /** Hook requests by kind, hook and outcome (ok, rejected = 4xx, error = 5xx) since the first start. */
  async counts(): Promise<HookCounts> {
    const now = await this.scrape().catch(() => ({}));
    const sum: HookCounts = { ...this.carried };
    for (const [k, v] of Object.entries(now)) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  }

  private async collect(): Promise<void> {
    const now = await this.scrape();
    for (const [k, v] of Object.entries(now)) this.carried[k] = (this.carried[k] ?? 0) + v;
  }

  private async scrape(): Promise<HookCounts> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const counts: HookCounts = {};
    for (const m of text.matchAll(/^rocketmq_operator_hook_requests_total\{([^}]*)\} (\d+)/gm)) {
      const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      counts[`${labels.kind} ${labels.hook} ${labels.outcome}`] = Number(m[2]);
    }
    return counts;
  }
}
