// Load on one hook route against a baseline route in the same server and the same run: the
// baseline parses the same body and answers a precomputed reply of the same size, so the ratio
// measures what rendering costs on top of HTTP and JSON, whatever else the machine is doing.
// A third route does everything the hook route does but render: it checks the body against the
// hook's request schema, counts the call in the hook metrics and serializes the hook's reply, kept
// as a parsed object. Its ratio is the most any render could reach.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { hookRequestSchema } from '../../hooks/core/request-schema.js';
import type { AddressInfo } from 'node:net';

interface LoadRun {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

export interface LoadResult {
  label: string;
  hookRps: number;
  baselineRps: number;
  ratio: number;
  /** Throughput of the route that does all a hook does but render, over the baseline's. */
  noRenderRatio: number;
  hookP99Ms: number;
  hookP50Ms: number;
  replyBytes: number;
  requestBytes: number;
  /** Latency of one request at a time, as Metacontroller calls the hook for one parent. */
  serialP99Ms: number;
  baselineSerialP99Ms: number;
}

const CONNECTIONS = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** The load comes from another process, so the server's process and memory are its own. */
async function load(url: string, body: string, connections = CONNECTIONS): Promise<LoadRun> {
  // Bodies of large clusters exceed what one command-line argument may hold, so they go in a file.
  const bodyFile = join(mkdtempSync(join(tmpdir(), 'rocketmq-bench-')), 'body.json');
  writeFileSync(bodyFile, body);
  const args = [
    AUTOCANNON,
    '--json',
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-i',
    bodyFile,
    '-c',
    String(connections),
    '-d',
    String(SECONDS),
    url,
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as LoadRun;
}

interface BenchReplies {
  texts: Map<string, string>;
  objects: Map<string, unknown>;
}

export async function listenWithBaseline(app: FastifyInstance): Promise<string> {
  const replies: BenchReplies = { texts: new Map(), objects: new Map() };
  app.post<{ Body: unknown; Querystring: { reply: string } }>('/bench/baseline', async (request, reply) => {
    reply.type('application/json');
    return replies.texts.get(request.query.reply);
  });
  app.post<{ Body: unknown; Querystring: { reply: string } }>(
    '/bench/no-render/:kind',
    { schema: { body: hookRequestSchema }, config: { hook: 'sync' } },
    async (request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(replies.objects.get(request.query.reply))),
  );
  app.decorate('benchReplies', replies);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** Runs baseline and hook twice each, interleaved, and keeps each one's better run. */
export async function compareWithBaseline(
  app: FastifyInstance,
  base: string,
  label: string,
  path: string,
  payload: unknown,
): Promise<LoadResult> {
  const body = JSON.stringify(payload);
  const sample = await fetch(base + path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  if (sample.status !== 200) throw new Error(`${label}: ${path} answered ${sample.status}: ${await sample.text()}`);
  const reply = await sample.text();
  const { texts, objects } = (app as unknown as { benchReplies: BenchReplies }).benchReplies;
  texts.set(label, reply);
  objects.set(label, JSON.parse(reply));
  const query = `?reply=${encodeURIComponent(label)}`;
  const baselineUrl = `${base}/bench/baseline${query}`;
  const noRenderUrl = `${base}/bench/no-render/${path.split('/').pop()}${query}`;
  const runs = { hook: [] as LoadRun[], baseline: [] as LoadRun[], noRender: [] as LoadRun[] };
  for (let i = 0; i < 2; i += 1) {
    runs.baseline.push(await load(baselineUrl, body));
    runs.hook.push(await load(base + path, body));
    runs.noRender.push(await load(noRenderUrl, body));
  }
  const serial = await load(base + path, body, 1);
  const baselineSerial = await load(baselineUrl, body, 1);
  const best = (results: LoadRun[]) => results.reduce((a, b) => (b.requests.average > a.requests.average ? b : a));
  const hook = best(runs.hook);
  const baseline = best(runs.baseline);
  const noRender = best(runs.noRender);
  for (const [route, run] of [
    ['hook', hook],
    ['no-render', noRender],
  ] as const) {
    if (run.non2xx > 0 || run.errors > 0)
      throw new Error(`${label}: the ${route} route had ${run.non2xx} non-2xx replies and ${run.errors} errors under load`);
  }
  return {
    label,
    hookRps: Math.round(hook.requests.average),
    baselineRps: Math.round(baseline.requests.average),
    ratio: Number((hook.requests.average / baseline.requests.average).toFixed(2)),
    noRenderRatio: Number((noRender.requests.average / baseline.requests.average).toFixed(2)),
    hookP99Ms: hook.latency.p99,
    hookP50Ms: hook.latency.p50,
    replyBytes: reply.length,
    requestBytes: body.length,
    serialP99Ms: serial.latency.p99,
    baselineSerialP99Ms: baselineSerial.latency.p99,
  };
}
