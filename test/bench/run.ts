// npm run bench: hook throughput against a same-run baseline, latency, memory, and the metadata copy.
import { buildServer, type ServerOptions } from '../../hooks/http/server.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { runningBrokerRequest } from './broker-requests.js';
import { benchCopyMetadata } from './copy-metadata.js';
import { compareWithBaseline, listenWithBaseline, type LoadResult } from './hook-load.js';
import { renderAlone } from './render-alone.js';
import type { KindHooks } from '../../hooks/core/kind-hooks.js';
import type { HookRequest } from '../../hooks/core/metacontroller.js';
import { brokerHooks } from '../../hooks/broker/hooks.js';
import { nameServiceHooks } from '../../hooks/nameservice/hooks.js';

function table(results: LoadResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${Math.round(r.requestBytes / 1024)} | ${r.hookRps} | ${r.baselineRps} | ${r.ratio} | ${r.noRenderRatio} | ${r.hookP50Ms} | ${r.hookP99Ms} | ${r.serialP99Ms} (${r.baselineSerialP99Ms}) |`,
  );
  return [
    '| case | request KiB | hook req/s | baseline req/s | ratio | ratio without rendering | p50 ms | p99 ms | p99 ms, 1 connection (baseline) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function measure(options: ServerOptions, label: string, path: string, payload: unknown): Promise<LoadResult> {
  const app = buildServer(options);
  try {
    return await compareWithBaseline(app, await listenWithBaseline(app), label, path, payload);
  } finally {
    await app.close();
  }
}

const missed: string[] = [];
const expect = (ok: boolean, goal: string) => ok || missed.push(goal);

const nameService = customResource(
  'NameService',
  'name-service',
  {
    size: 3,
    storageMode: 'StorageClass',
    volumeClaimTemplates: [
      { metadata: { name: 'namesrv-storage' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } } },
    ],
    resources: { limits: { memory: '2Gi', cpu: '1' } },
  },
  'mq',
);

const results: LoadResult[] = [];
const nameServiceSync = await measure({}, 'NameService sync', '/sync/nameservice', syncRequest(nameService));
results.push(nameServiceSync);
const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
expect(nameServiceSync.ratio >= 0.5, 'NameService sync ratio >= 0.5');
expect(nameServiceSync.hookP99Ms < 5, 'NameService sync p99 < 5 ms');
expect(rssMb < 150, 'memory < 150 MB');

// Every request is rendered anew, as one Metacontroller has not sent before would be.
const brokerRows: Record<number, LoadResult> = {};
for (const groups of [1, 10, 100]) {
  brokerRows[groups] = await measure({}, `Broker sync, ${groups} groups x 3 pods`, '/sync/broker', runningBrokerRequest(groups));
  results.push(brokerRows[groups]);
  expect(brokerRows[groups].ratio >= 0.5, `Broker sync ratio at ${groups} groups >= 0.5`);
}
expect(
  brokerRows[100].serialP99Ms <= 2 * brokerRows[100].baselineSerialP99Ms,
  'Broker sync p99 at 100 groups within 2x the floor (one request at a time)',
);
// Linear growth: ten times the groups costs at most about ten times the time per request.
const growth = brokerRows[10].hookRps / brokerRows[100].hookRps;
expect(growth <= 15, `Broker render time grows linearly from 10 to 100 groups (x${growth.toFixed(1)})`);

// After the load (each server is closed by then), so its memory is not in the figure above.
const alone = (label: string, hooks: KindHooks<object>, request: HookRequest, count: number) => {
  const { warm, cold } = renderAlone(hooks, request, count);
  return `| ${label} | ${warm} | ${cold} |`;
};
const renderAloneRows = [
  alone('NameService sync', nameServiceHooks, syncRequest(nameService), 2000),
  ...[1, 10, 100].map((groups) =>
    alone(
      `Broker sync, ${groups} groups x 3 pods`,
      brokerHooks,
      runningBrokerRequest(groups),
      groups === 100 ? 20 : Math.ceil(2000 / groups),
    ),
  ),
];

console.log(table(results));
console.log(
  [
    '\nsync hook alone, requests parsed beforehand (best of 5 rounds):',
    '| case | µs | µs, caches emptied before each |',
    '|---|---|---|',
    ...renderAloneRows,
  ].join('\n'),
);
console.log(`\nload: 8 connections from a separate process, best of two ${process.env.BENCH_SECONDS ?? 4} s runs per case`);
console.log(`resident memory of the server process after the NameService case: ${rssMb} MB`);
console.log(`Broker render throughput, 10 groups over 100 groups: x${growth.toFixed(1)} for x10 groups`);

if (process.env.BENCH_SKIP_ROCKETMQ !== '1') {
  const copy = await benchCopyMetadata();
  console.log(`\nmetadata copy of ${copy.topics} topics and ${copy.groups} groups to a fresh broker (RocketMQ ${copy.rocketmqVersion}):`);
  console.log(`| copy | ms | writes |\n|---|---|---|`);
  console.log(`| list requests | ${copy.listCopyMs} | ${copy.listWrites} |`);
  console.log(`| one request per item | ${copy.singleCopyMs} | ${copy.singleWrites} |`);
  console.log(`| second run (nothing to do) | ${copy.rerunMs} | ${copy.rerunWrites} |`);
  console.log(`speed-up of list requests: x${copy.speedup.toFixed(0)}`);
  expect(copy.listCopyMs < 5000, 'metadata copy of 10,000 topics and 2,000 groups < 5 s');
  expect(copy.rerunWrites === 0, 'a second copy writes nothing');
}

if (missed.length > 0) {
  console.log(`\ntargets missed: ${missed.join('; ')}`);
  process.exitCode = 1;
}
