// The admin client and the metadata copy against RocketMQ 4.9.x (4.9.7: the last 4.x release whose
// name server and broker jars are on Maven Central): no list requests, no GET_TOPIC_CONFIG,
// `removeOffset` instead of `cleanOffset`, fewer fields in topic and group configs.
import { jest } from '@jest/globals';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import type { SubscriptionGroupConfig } from '../../hooks/rocketmq/types.js';
import { copyMetadata } from '../../hooks/runner/copy-metadata.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { expectSuccess, labelledValue, tableRows } from './mqadmin-output.js';

jest.setTimeout(90_000);

const VERSION = '4.9.7';

describeWithRocketMQ(
  `RocketMQ admin client and metadata copy against RocketMQ ${VERSION}`,
  () => {
    let mq: TestRocketMQ;
    let admin: RocketMQAdmin;
    let a: string;
    let b: string;

    beforeAll(async () => {
      mq = await startRocketMQ({ layout: 'two-clusters', version: VERSION });
      console.log(`RocketMQ ${mq.version} started in ${mq.startupMs} ms`);
      admin = new RocketMQAdmin({ nameServers: mq.nameServer });
      a = mq.broker('broker-a').address;
      b = mq.broker('broker-b').address;
    }, 240_000);

    afterAll(async () => {
      admin?.close();
      await mq?.stop();
    });

    /** A new topic's route shows up once the broker has registered it. */
    async function waitForRoute(topic: string): Promise<void> {
      const deadline = Date.now() + 15_000;
      while ((await admin.topicRoute(topic).catch(() => undefined)) === undefined) {
        if (Date.now() > deadline) throw new Error(`no route for ${topic}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    test('reads cluster info and the server version of 4.9.x brokers', async () => {
      const info = await admin.clusterInfo();
      expect(info.clusters).toEqual(
        new Map([
          ['cluster-a', ['broker-a']],
          ['cluster-b', ['broker-b']],
        ]),
      );
      expect(info.brokers.get('broker-a')).toEqual({ cluster: 'cluster-a', brokerName: 'broker-a', brokerAddrs: new Map([[0, a]]) });
      // Replies carry the server's version: V4_9_7 is ordinal 407.
      expect(await admin.serverVersion(a)).toBe(407);
      expect(await admin.storedFields(a)).toMatchObject({ topicOrder: false, topicAttributes: false });
    });

    test('writes topics and groups one request each, and reads them back', async () => {
      const topics = Array.from({ length: 12 }, (_, i) => ({
        topicName: `compat-topic-${i}`,
        readQueueNums: 1 + (i % 4),
        writeQueueNums: 1 + (i % 3),
        perm: i % 2 ? 6 : 4,
        order: i % 3 === 0,
      }));
      expect(await admin.createOrUpdateTopics(a, topics)).toEqual({ written: 12, requests: 13, mode: 'single' });
      const table = await admin.topicConfigs(a);
      // 4.9.x does not keep the order flag sent with a topic (order lives in the name server's KV store).
      for (const t of topics)
        expect(table.get(t.topicName)).toEqual({ topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, attributes: {}, ...t, order: false });
      // GET_TOPIC_CONFIG does not exist before 5.0: the full table answers instead.
      expect(await admin.topicConfig(a, 'compat-topic-3')).toEqual(table.get('compat-topic-3'));
      expect(await admin.topicConfig(a, 'compat-missing')).toBeUndefined();

      const groups = Array.from(
        { length: 6 },
        (_, i) => ({ groupName: `compat-group-${i}`, retryMaxTimes: i, consumeBroadcastEnable: false }) as SubscriptionGroupConfig,
      );
      expect(await admin.createOrUpdateSubscriptionGroups(a, groups)).toEqual({ written: 6, requests: 7, mode: 'single' });
      const read = await admin.subscriptionGroup(a, 'compat-group-4');
      // 4.9.x stores only its own fields; the reader fills the 5.x ones with their defaults.
      expect(read).toMatchObject({
        groupName: 'compat-group-4',
        retryMaxTimes: 4,
        consumeBroadcastEnable: false,
        consumeEnable: true,
        consumeMessageOrderly: false,
        groupRetryPolicy: { type: 'CUSTOMIZED' },
      });

      await admin.deleteSubscriptionGroup(a, 'compat-group-5', true);
      expect(await admin.subscriptionGroup(a, 'compat-group-5')).toBeUndefined();
    });

    test('reports lag like consumerProgress of the 4.9.x tools', async () => {
      await admin.createOrUpdateTopic(a, { topicName: 'compat-lag', readQueueNums: 2, writeQueueNums: 2 });
      await admin.createOrUpdateSubscriptionGroup(a, { groupName: 'compat-lag-group' } as SubscriptionGroupConfig);
      await waitForRoute('compat-lag');
      expect(await mq.produce('compat-lag', 6, 'broker-a')).toHaveLength(6);
      await admin.updateConsumerOffset(a, 'compat-lag-group', 'compat-lag', 1, 1);

      const stats = await admin.consumeStats('compat-lag-group', 'compat-lag');
      expect(stats.queues.map((q) => [q.queueId, q.brokerOffset, q.consumerOffset, q.lag])).toEqual([
        [0, 3, 0, 3],
        [1, 3, 1, 2],
      ]);
      expect(stats.queues[0].pullOffset).toBeUndefined();
      // 4.9.x consumerProgress has no -t and finds the brokers through the group's retry topic,
      // which a consumer would have created.
      await admin.createOrUpdateTopic(a, { topicName: '%RETRY%compat-lag-group', readQueueNums: 1, writeQueueNums: 1 });
      await waitForRoute('%RETRY%compat-lag-group');
      const progress = expectSuccess(await mq.mqadmin(['consumerProgress', '-g', 'compat-lag-group']), 'consumerProgress');
      expect(labelledValue(progress, 'Diff Total')).toBe('5');
      expect(tableRows(progress).map((row) => Number(row[5]))).toEqual([3, 2]);
      expect((await admin.topicStats('compat-lag')).queues.map((q) => q.maxOffset)).toEqual([3, 3]);
      expect(await admin.topicConsumers('compat-lag')).toEqual(['compat-lag-group']);
    });

    test('updates broker config and write permissions', async () => {
      await admin.updateBrokerConfig(b, { fileReservedTime: 12 });
      expect((await admin.brokerConfig(b)).fileReservedTime).toBe('12');
      await admin.createOrUpdateTopic(b, { topicName: 'compat-perm' });
      await waitForRoute('compat-perm');
      expect((await admin.wipeWritePerm('broker-b'))[0].value).toBeGreaterThan(0);
      expect((await admin.topicRoute('compat-perm')).queueDatas[0].perm).toBe(4);
      await admin.addWritePerm('broker-b');
      expect((await admin.topicRoute('compat-perm')).queueDatas[0].perm).toBe(6);
    });

    test('copies metadata between 4.9.x brokers, and a second run writes nothing', async () => {
      const first = await copyMetadata(admin, { source: { address: a }, targets: [{ address: b }] });
      expect(first.targets[0].topics.copied).toBeGreaterThanOrEqual(13);
      expect(first.targets[0].groups.copied).toBeGreaterThanOrEqual(6);
      const [sourceTopics, targetTopics] = await Promise.all([admin.topicConfigs(a), admin.topicConfigs(b)]);
      for (const [name, config] of sourceTopics) if (name.startsWith('compat-')) expect(targetTopics.get(name)).toEqual(config);
      const [sourceGroups, targetGroups] = await Promise.all([admin.subscriptionGroups(a), admin.subscriptionGroups(b)]);
      for (const [name, config] of sourceGroups) if (name.startsWith('compat-')) expect(targetGroups.get(name)).toEqual(config);
      expect(targetTopics.has('broker-a')).toBe(false);
      expect(targetTopics.has('cluster-a')).toBe(false);

      const second = await copyMetadata(admin, { source: { address: a }, targets: [{ address: b }] });
      expect(second.writes).toBe(0);
    });
  },
  VERSION,
);
