// Benchmark of the broker metadata copy: 10,000 topics and 2,000 groups from one real broker to a
// fresh one with list requests, against copying the same items one request at a time (to another
// fresh broker of the same run). Run directly with `node dist/test/bench/copy-metadata.js`.
import { pathToFileURL } from 'node:url';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import type { SubscriptionGroupConfig, TopicConfig } from '../../hooks/rocketmq/types.js';
import { copyMetadata, type CopyMetadataSummary } from '../../hooks/runner/copy-metadata.js';
import { startRocketMQ } from '../support/rocketmq.js';
import { groupConfig, topicConfig } from '../support/rocketmq-configs.js';

export interface CopyMetadataBenchResult {
  rocketmqVersion: string;
  topics: number;
  groups: number;
  /** Harness start-up (name server + three brokers registered). */
  startupMs: number;
  /** Copy with list requests to a fresh broker. */
  listCopyMs: number;
  listWrites: number;
  /** The same copy, one request at a time, to another fresh broker. */
  singleCopyMs: number;
  singleWrites: number;
  /** singleCopyMs / listCopyMs. */
  speedup: number;
  /** A second list copy onto the first target: nothing to write. */
  rerunMs: number;
  rerunWrites: number;
}

export interface CopyMetadataBenchOptions {
  topics?: number;
  groups?: number;
}

function benchTopic(i: number): TopicConfig {
  const queues = 1 + (i % 8);
  return topicConfig(`bench-topic-${String(i).padStart(5, '0')}`, {
    readQueueNums: queues,
    writeQueueNums: queues,
    perm: i % 10 === 0 ? 4 : 6,
    order: i % 7 === 0,
  });
}

function benchGroup(i: number): SubscriptionGroupConfig {
  return groupConfig(`bench-group-${String(i).padStart(5, '0')}`, {
    consumeFromMinEnable: false,
    consumeBroadcastEnable: i % 5 === 0,
    consumeMessageOrderly: i % 3 === 0,
  });
}

async function timed(run: () => Promise<CopyMetadataSummary>): Promise<{ ms: number; summary: CopyMetadataSummary }> {
  const started = performance.now();
  const summary = await run();
  return { ms: Math.round(performance.now() - started), summary };
}

export async function benchCopyMetadata(options: CopyMetadataBenchOptions = {}): Promise<CopyMetadataBenchResult> {
  const topicCount = options.topics ?? 10_000;
  const groupCount = options.groups ?? 2_000;
  const mq = await startRocketMQ({ layout: 'one-cluster', brokerCount: 3 });
  const admin = new RocketMQAdmin({ nameServers: mq.nameServer, timeoutMs: 30_000, bulkTimeoutMs: 120_000 });
  try {
    const [source, listTarget, singleTarget] = ['broker-a', 'broker-b', 'broker-c'].map((name) => mq.broker(name).address);
    await admin.createOrUpdateTopics(
      source,
      Array.from({ length: topicCount }, (_, i) => benchTopic(i)),
    );
    await admin.createOrUpdateSubscriptionGroups(
      source,
      Array.from({ length: groupCount }, (_, i) => benchGroup(i)),
    );

    const list = await timed(() => copyMetadata(admin, { source: { address: source }, targets: [{ address: listTarget }] }));
    const single = await timed(() =>
      copyMetadata(admin, { source: { address: source }, targets: [{ address: singleTarget }], singleRequests: true, concurrency: 1 }),
    );
    const rerun = await timed(() => copyMetadata(admin, { source: { address: source }, targets: [{ address: listTarget }] }));
    for (const { summary } of [list, single]) {
      const [target] = summary.targets;
      if (target.topics.copied !== topicCount || target.groups.copied !== groupCount) {
        throw new Error(`copy to ${target.brokerName} wrote ${target.topics.copied} topics and ${target.groups.copied} groups`);
      }
    }
    return {
      rocketmqVersion: mq.version,
      topics: topicCount,
      groups: groupCount,
      startupMs: mq.startupMs,
      listCopyMs: list.ms,
      listWrites: list.summary.writes,
      singleCopyMs: single.ms,
      singleWrites: single.summary.writes,
      speedup: Math.round((single.ms / list.ms) * 10) / 10,
      rerunMs: rerun.ms,
      rerunWrites: rerun.summary.writes,
    };
  } finally {
    admin.close();
    await mq.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const topics = Number(process.env.BENCH_TOPICS ?? 10_000);
  const groups = Number(process.env.BENCH_GROUPS ?? 2_000);
  benchCopyMetadata({ topics, groups }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
