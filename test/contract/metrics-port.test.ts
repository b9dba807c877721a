// The process as the Deployment runs it: with METRICS_PORT, GET /metrics is also served on a port of
// its own that answers nothing else, so a NetworkPolicy can admit scrapers to the metrics only.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../hooks/schema/crds.js';
import { freePort } from '../support/ports.js';
import { customResource, syncRequest } from '../support/hook-requests.js';

const main = join(packageRoot(), 'dist', 'hooks', 'main.js');

describe('METRICS_PORT', () => {
  let child: ChildProcess;
  let hooks: string;
  let metrics: string;

  beforeAll(async () => {
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    hooks = `http://127.0.0.1:${port}`;
    metrics = `http://127.0.0.1:${metricsPort}`;
    child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        SHUTDOWN_DELAY_SECONDS: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let tries = 0; ; tries += 1) {
      const ready = await fetch(`${metrics}/metrics`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (tries > 100 || child.exitCode !== null) throw new Error(`${main} did not start serving metrics`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves the hooks metrics on the metrics port', async () => {
    const nameService = customResource('NameService', 'ns', { size: 1 }, 'mq');
    const sync = await fetch(`${hooks}/sync/nameservice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(syncRequest(nameService)),
    });
    expect(sync.status).toBe(200);
    const reply = await fetch(`${metrics}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await reply.text()).toMatch(/rocketmq_operator_hook_requests_total\{kind="nameservice",hook="sync",outcome="ok"\} 1/);
  });

  it.each([
    ['POST', '/sync/nameservice'],
    ['POST', '/render'],
    ['GET', '/healthz'],
    ['POST', '/metrics'],
  ])('answers %s %s on the metrics port with 404', async (method, path) => {
    const reply = await fetch(`${metrics}${path}`, {
      method,
      ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
    });
    expect(reply.status).toBe(404);
  });

  it('still serves /metrics on the hook port', async () => {
    expect((await fetch(`${hooks}/metrics`)).status).toBe(200);
  });

  it('closes both ports on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${metrics}/metrics`)).rejects.toThrow();
  });
});
