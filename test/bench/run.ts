// npm run bench: hook throughput against a same-run baseline, latency and memory.
import { buildServer, type ServerOptions } from '../../hooks/server.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { compareWithBaseline, listenWithBaseline, type LoadResult } from './hook-load.js';

interface Target {
  label: string;
  check: (r: LoadResult) => boolean;
  goal: string;
}

function table(results: LoadResult[]): string {
  const rows = results.map(
    (r) => `| ${r.label} | ${r.hookRps} | ${r.baselineRps} | ${r.ratio} | ${r.hookP50Ms} | ${r.hookP99Ms} | ${r.replyBytes} |`,
  );
  return ['| case | hook req/s | baseline req/s | ratio | p50 ms | p99 ms | reply bytes |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

async function measure(options: ServerOptions, label: string, path: string, payload: unknown): Promise<LoadResult> {
  const app = buildServer(options);
  try {
    return await compareWithBaseline(app, await listenWithBaseline(app), label, path, payload);
  } finally {
    await app.close();
  }
}

const nameService = customResource('NameService', 'name-service', {
  size: 3,
  storageMode: 'StorageClass',
  volumeClaimTemplates: [{ metadata: { name: 'namesrv-storage' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } } }],
  resources: { limits: { memory: '2Gi', cpu: '1' } },
}, 'mq');

const results: LoadResult[] = [await measure({}, 'NameService sync', '/sync/nameservice', syncRequest(nameService))];
const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
// Every request rendered anew: what a request Metacontroller has not sent before costs.
results.push(await measure({ replyCacheBytes: 0 }, 'NameService sync, reply cache off', '/sync/nameservice', syncRequest(nameService)));

const targets: Target[] = [
  { label: 'NameService sync', check: (r) => r.ratio >= 0.8, goal: 'ratio >= 0.8' },
  { label: 'NameService sync', check: (r) => r.hookP99Ms < 5, goal: 'p99 < 5 ms' },
];
console.log(table(results));
console.log(`\nload: 8 connections from a separate process; resident memory of the server process after the first case: ${rssMb} MB (target < 150 MB)`);
const missed = targets.filter((t) => !t.check(results.find((r) => r.label === t.label)!)).map((t) => `${t.label}: ${t.goal}`);
if (rssMb >= 150) missed.push('memory < 150 MB');
if (missed.length > 0) {
  console.log(`targets missed: ${missed.join('; ')}`);
  process.exitCode = 1;
}
