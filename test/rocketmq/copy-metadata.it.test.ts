// The broker metadata copy against real brokers in two clusters (broker-a in cluster-a is the
// source, broker-b in cluster-b the target), through the function and through the runner command.
import { jest } from '@jest/globals';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import type { SubscriptionGroupConfig, TopicConfig } from '../../hooks/rocketmq/types.js';
import { copyMetadata } from '../../hooks/runner/copy-metadata.js';
import { runRunner } from '../../hooks/runner/main.js';
import { isSystemGroup, isSystemTopic } from '../../hooks/runner/system-names.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { closedAddress } from './fake-server.js';
import { expectSuccess, keyValueSections } from './mqadmin-output.js';

jest.setTimeout(90_000);

const names = new Set(['broker-a', 'broker-b', 'cluster-a', 'cluster-b']);

function userTopics(table: Map<string, TopicConfig>): Map<string, TopicConfig> {
  return new Map([...table].filter(([name]) => !isSystemTopic(name, names)));
}

function userGroups(table: Map<string, SubscriptionGroupConfig>): Map<string, SubscriptionGroupConfig> {
  return new Map([...table].filter(([name]) => !isSystemGroup(name)));
}

async function runCli(argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runRunner(argv, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

describeWithRocketMQ('broker metadata copy between real brokers', () => {
  let mq: TestRocketMQ;
  let admin: RocketMQAdmin;
  let source: string;
  let target: string;

  beforeAll(async () => {
    mq = await startRocketMQ({ layout: 'two-clusters' });
    admin = new RocketMQAdmin({ nameServers: mq.nameServer });
    source = mq.broker('broker-a').address;
    target = mq.broker('broker-b').address;

    const topics: TopicConfig[] = Array.from({ length: 60 }, (_, i): TopicConfig => ({
      topicName: `copy-topic-${i}`,
      readQueueNums: 1 + (i % 8),
      writeQueueNums: 1 + ((i * 3) % 8),
      perm: [6, 4, 2, 7][i % 4],
      topicFilterType: i % 5 === 0 ? 'MULTI_TAG' : 'SINGLE_TAG',
      topicSysFlag: i % 3 === 0 ? 1 : 0,
      order: i % 2 === 0,
      attributes: i % 6 === 0 ? { 'message.type': i % 12 === 0 ? 'FIFO' : 'NORMAL' } : {},
    }));
    topics.push({
      topicName: '%RETRY%copy-group-1',
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
      attributes: {},
    });
    await admin.createOrUpdateTopics(source, topics);
    const groups: SubscriptionGroupConfig[] = Array.from({ length: 25 }, (_, i) => ({
      groupName: `copy-group-${i}`,
      consumeEnable: i % 2 === 0,
      consumeFromMinEnable: i % 3 === 0,
      consumeBroadcastEnable: i % 4 === 0,
      consumeMessageOrderly: i % 5 === 0,
      retryQueueNums: 1 + (i % 3),
      retryMaxTimes: i,
      brokerId: 0,
      whichBrokerWhenConsumeSlowly: 1,
      notifyConsumerIdsChangedEnable: i % 2 === 1,
      groupSysFlag: 0,
      consumeTimeoutMinute: 10 + i,
      groupRetryPolicy:
        i % 2 === 0
          ? { type: 'CUSTOMIZED', customizedRetryPolicy: { next: [1000, 5000, 10000 + i] } }
          : { type: 'EXPONENTIAL', exponentialRetryPolicy: { initial: 500, max: 60000, multiplier: 3 } },
      attributes: {},
    }));
    await admin.createOrUpdateSubscriptionGroups(source, groups);

    // The target already holds one of the topics with other settings, and one of its own.
    await admin.createOrUpdateTopic(target, { topicName: 'copy-topic-1', readQueueNums: 16, writeQueueNums: 16, perm: 6 });
    await admin.createOrUpdateTopic(target, { topicName: 'only-on-target', readQueueNums: 2, writeQueueNums: 2 });
  }, 240_000);

  afterAll(async () => {
    admin?.close();
    await mq?.stop();
  });

  test('copies every topic and group of the source, leaving system items and target-only items alone', async () => {
    const before = await admin.topicConfigs(target);
    const summary = await copyMetadata(admin, { source: { address: source }, targets: [{ address: target }], batchSize: 25 });

    const [sourceTopics, targetTopics, sourceGroups, targetGroups] = await Promise.all([
      admin.topicConfigs(source),
      admin.topicConfigs(target),
      admin.subscriptionGroups(source),
      admin.subscriptionGroups(target),
    ]);
    const copiedTopics = userTopics(sourceTopics);
    expect(copiedTopics.size).toBe(61);
    for (const [name, config] of copiedTopics) expect(targetTopics.get(name)).toEqual(config);
    const copiedGroups = userGroups(sourceGroups);
    expect(copiedGroups.size).toBe(25);
    for (const [name, config] of copiedGroups) expect(targetGroups.get(name)).toEqual(config);

    // The source's own-name topics, cluster topics and system topics were not copied.
    for (const name of ['broker-a', 'cluster-a', 'cluster-a_REPLY_TOPIC', 'rmq_sys_SYNC_BROKER_MEMBER_broker-a'])
      expect(targetTopics.has(name)).toBe(false);
    for (const name of ['TBW102', 'SCHEDULE_TOPIC_XXXX', 'broker-b', 'cluster-b', 'only-on-target'])
      expect(targetTopics.get(name)).toEqual(before.get(name));

    expect(summary.source).toEqual({ brokerName: 'broker-a', address: source, topics: sourceTopics.size, groups: sourceGroups.size });
    expect(summary.skipped).toEqual({ topics: sourceTopics.size - 61, groups: sourceGroups.size - 25 });
    expect(summary.targets).toEqual([
      {
        brokerName: 'broker-b',
        address: target,
        topics: { copied: 61, unchanged: 0 },
        groups: { copied: 25, unchanged: 0 },
        writes: 3 + 1,
      },
    ]);
    expect(summary.copied).toBe(86);
    expect(summary.writes).toBe(4);

    // mqadmin sees the copied group on both clusters with the same settings, and the route of a
    // copied topic on both brokers with the source's queue counts.
    const [printedGroup, printedRoute] = await Promise.all([
      mq.mqadmin(['getConsumerConfig', '-g', 'copy-group-7']),
      mq.mqadmin(['topicRoute', '-t', 'copy-topic-5', '-l']),
    ]);
    const sections = keyValueSections(expectSuccess(printedGroup, 'getConsumerConfig'));
    const onSource = sections.get('cluster-a:broker-a');
    expect(onSource).toMatchObject({ retryMaxTimes: '7', consumeTimeoutMinute: '17' });
    expect(sections.get('cluster-b:broker-b')).toEqual(onSource);
    const routeText = expectSuccess(printedRoute, 'topicRoute');
    expect(routeText).toMatch(/broker-a/);
    expect(routeText).toMatch(/broker-b/);
  });

  test('a second run writes nothing', async () => {
    const summary = await copyMetadata(admin, { source: { address: source }, targets: [{ address: target }] });
    expect(summary.writes).toBe(0);
    expect(summary.copied).toBe(0);
    expect(summary.unchanged).toBe(86);
  });

  test('the runner command resolves broker names on the name server and prints a one-line summary', async () => {
    await admin.createOrUpdateTopic(source, { topicName: 'copy-late-topic', readQueueNums: 3, writeQueueNums: 3, order: true });
    const first = await runCli(['copy-metadata', '--namesrv', mq.nameServer, '--source-broker', 'broker-a', '--target-broker', 'broker-b']);
    expect(first.stderr).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.stdout).toHaveLength(1);
    const summary = JSON.parse(first.stdout[0]);
    expect(summary).toMatchObject({
      copied: 1,
      unchanged: 86,
      writes: 1,
      targets: [{ brokerName: 'broker-b', address: target, topics: { copied: 1, unchanged: 61 } }],
    });
    expect(await admin.topicConfig(target, 'copy-late-topic')).toEqual(await admin.topicConfig(source, 'copy-late-topic'));

    const again = await runCli(['copy-metadata', '--namesrv', mq.nameServer, '--source-addr', source, '--target-addr', target]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout[0])).toMatchObject({ copied: 0, writes: 0 });
  });

  test('an unreachable source fails with a message naming it, after bounded retries', async () => {
    const nowhere = await closedAddress();
    const started = Date.now();
    const result = await runCli([
      'copy-metadata',
      '--source-addr',
      nowhere,
      '--target-addr',
      target,
      '--attempts',
      '3',
      '--backoff-ms',
      '50',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([]);
    expect(result.stderr.join('\n')).toMatch(
      new RegExp(
        `^copy-metadata: cannot reach source broker at ${nowhere}: connection to ${nowhere} failed: ECONNREFUSED \\(after 3 attempts\\)$`,
      ),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(150); // 50 + 100 ms of backoff
  });

  test('an unknown broker name fails with the brokers the name server knows', async () => {
    const result = await runCli([
      'copy-metadata',
      '--namesrv',
      mq.nameServer,
      '--source-broker',
      'broker-a',
      '--target-broker',
      'broker-x',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr[0]).toBe(
      `copy-metadata: target broker broker-x has no master registered on name servers ${mq.nameServer} (known: broker-a, broker-b)`,
    );
  });
});
