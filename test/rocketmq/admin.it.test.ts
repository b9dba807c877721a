// Every admin operation against a real name server and two brokers (one cluster), each result
// cross-checked with mqadmin from the same RocketMQ jars.
// CAPTURE_ROCKETMQ_FIXTURES=1 also saves raw response bodies under test/fixtures/rocketmq/.
import { jest } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { RequestCode } from '../../hooks/rocketmq/codes.js';
import { RemotingConnectionError, RemotingResponseError } from '../../hooks/rocketmq/errors.js';
import { parseFastjson, type FastjsonMap, type FastjsonObject } from '../../hooks/rocketmq/fastjson.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { expectSuccess, keyValueSections, labelledValue, tableRows } from './mqadmin-output.js';
import { groupConfig, topicConfig } from '../support/rocketmq-configs.js';

jest.setTimeout(90_000);

const fixtureDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/rocketmq');
const capture = process.env.CAPTURE_ROCKETMQ_FIXTURES === '1';

async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const topic = topicConfig;
const group = groupConfig;

describeWithRocketMQ('RocketMQ admin client against a real name server and two brokers', () => {
  let mq: TestRocketMQ;
  let admin: RocketMQAdmin;
  let a: string;
  let b: string;

  beforeAll(async () => {
    mq = await startRocketMQ({ layout: 'one-cluster' });
    console.log(`RocketMQ ${mq.version} started in ${mq.startupMs} ms`);
    admin = new RocketMQAdmin({ nameServers: mq.nameServer });
    a = mq.broker('broker-a').address;
    b = mq.broker('broker-b').address;
    if (capture) mkdirSync(fixtureDir, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    admin?.close();
    await mq?.stop();
  });

  async function saveBody(file: string, address: string, code: number, extFields?: Record<string, string>): Promise<void> {
    if (!capture) return;
    const reply = await admin.client.call(address, code, { extFields });
    writeFileSync(join(fixtureDir, file), reply.body ?? Buffer.alloc(0));
  }

  test('cluster info names both brokers with their master addresses, as clusterList does', async () => {
    const [info, listed] = await Promise.all([admin.clusterInfo(), mq.mqadmin(['clusterList'])]);
    expect(info.clusters.get('test-cluster')).toEqual(['broker-a', 'broker-b']);
    expect(info.brokers.get('broker-a')?.brokerAddrs.get(0)).toBe(a);
    expect(info.brokers.get('broker-b')?.brokerAddrs.get(0)).toBe(b);
    expect(await admin.masterAddress('broker-b')).toBe(b);
    expect(await admin.clusterMasters('test-cluster')).toEqual([
      { brokerName: 'broker-a', address: a },
      { brokerName: 'broker-b', address: b },
    ]);

    const rows = tableRows(expectSuccess(listed, 'clusterList')).map(([cluster, broker, id, address, version]) => ({
      cluster,
      broker,
      id,
      address,
      version,
    }));
    const runtime = await admin.brokerRuntimeInfo(a);
    expect(rows).toEqual(
      expect.arrayContaining([
        { cluster: 'test-cluster', broker: 'broker-a', id: '0', address: a, version: runtime.brokerVersionDesc },
        { cluster: 'test-cluster', broker: 'broker-b', id: '0', address: b, version: runtime.brokerVersionDesc },
      ]),
    );
    expect(rows).toHaveLength(2);
    await saveBody('cluster-info.json', mq.nameServer, RequestCode.GET_BROKER_CLUSTER_INFO);
    await saveBody('broker-runtime-info.json', a, RequestCode.GET_BROKER_RUNTIME_INFO);
  });

  test('creates a topic on each master, reads it back, and the route matches topicRoute', async () => {
    const config = topic('it-orders', { readQueueNums: 3, writeQueueNums: 3, order: true, attributes: { 'message.type': 'NORMAL' } });
    await Promise.all([admin.createOrUpdateTopic(a, config), admin.createOrUpdateTopic(b, config)]);
    expect(await admin.topicConfig(a, 'it-orders')).toEqual(config);
    expect((await admin.topicConfigs(b)).get('it-orders')).toEqual(config);

    const route = await eventually(async () => {
      const r = await admin.topicRoute('it-orders');
      expect(r.queueDatas).toHaveLength(2);
      return r;
    });
    const [printed, listed] = await Promise.all([mq.mqadmin(['topicRoute', '-t', 'it-orders']), mq.mqadmin(['topicList'])]);
    // mqadmin re-prints the route with fastjson, numeric keys unquoted: the tolerant reader handles it.
    const theirs = parseFastjson(expectSuccess(printed, 'topicRoute')) as FastjsonObject;
    const theirBrokers = (theirs.brokerDatas as FastjsonObject[]).map((d) => ({
      brokerName: d.brokerName,
      cluster: d.cluster,
      master: (d.brokerAddrs as FastjsonMap).get(0),
    }));
    const ourBrokers = route.brokerDatas.map((d) => ({ brokerName: d.brokerName, cluster: d.cluster, master: d.brokerAddrs.get(0) }));
    const byName = (x: object, y: object): number =>
      String((x as { brokerName?: unknown }).brokerName).localeCompare(String((y as { brokerName?: unknown }).brokerName));
    expect(ourBrokers.sort(byName)).toEqual(theirBrokers.sort(byName));
    expect([...route.queueDatas].sort(byName)).toEqual((theirs.queueDatas as FastjsonObject[]).sort(byName));
    expect(route.queueDatas.every((q) => q.readQueueNums === 3 && q.writeQueueNums === 3 && q.perm === 6)).toBe(true);

    expect(
      expectSuccess(listed, 'topicList')
        .split('\n')
        .map((l) => l.trim()),
    ).toContain('it-orders');
    expect(await admin.topicList()).toContain('it-orders');

    // Shrinking the queues and dropping the attribute replaces the config.
    const current = await admin.topicConfig(a, 'it-orders');
    const updated = topic('it-orders', { readQueueNums: 2, writeQueueNums: 2, perm: 4, order: true });
    await admin.createOrUpdateTopic(a, updated, current);
    expect(await admin.topicConfig(a, 'it-orders')).toEqual(updated);
    await saveBody('topic-route.json', mq.nameServer, RequestCode.GET_ROUTEINFO_BY_TOPIC, {
      topic: 'it-orders',
      acceptStandardJsonOnly: 'true',
    });
    if (capture) writeFileSync(join(fixtureDir, 'mqadmin-topic-route.txt'), printed.stdout);
  });

  test('creates many topics with the list request, or one request each, with the same result', async () => {
    const configs = Array.from({ length: 40 }, (_, i) =>
      topic(`it-bulk-${i}`, {
        readQueueNums: 1 + (i % 5),
        writeQueueNums: 1 + (i % 3),
        perm: i % 2 ? 6 : 4,
        order: i % 4 === 0,
        topicSysFlag: i % 3 === 0 ? 1 : 0,
      }),
    );
    const listed = await admin.createOrUpdateTopics(a, configs, undefined, { batchSize: 16 });
    expect(listed).toEqual({ written: 40, requests: 3, mode: 'list' });
    const single = await admin.createOrUpdateTopics(b, configs, undefined, { singleRequests: true });
    expect(single).toEqual({ written: 40, requests: 40, mode: 'single' });

    const [onA, onB] = await Promise.all([admin.topicConfigs(a), admin.topicConfigs(b)]);
    for (const config of configs) {
      expect(onA.get(config.topicName)).toEqual(config);
      expect(onB.get(config.topicName)).toEqual(config);
    }
    const names = await eventually(async () => {
      const out = expectSuccess(await mq.mqadmin(['topicList']), 'topicList')
        .split('\n')
        .map((l) => l.trim());
      expect(out).toEqual(expect.arrayContaining(configs.map((c) => c.topicName)));
      return out;
    });
    expect(names.length).toBeGreaterThan(40);
    await saveBody('topic-configs.json', a, RequestCode.GET_ALL_TOPIC_CONFIG);
  });

  test('creates, lists, reads and deletes subscription groups, as getConsumerConfig sees them', async () => {
    const custom = group('it-group-custom', {
      consumeBroadcastEnable: false,
      consumeMessageOrderly: true,
      retryQueueNums: 2,
      retryMaxTimes: 5,
      whichBrokerWhenConsumeSlowly: 0,
      consumeTimeoutMinute: 7,
      groupRetryPolicy: { type: 'EXPONENTIAL', exponentialRetryPolicy: { initial: 1000, max: 60000, multiplier: 2 } },
    });
    await admin.createOrUpdateSubscriptionGroup(a, custom);
    expect(await admin.subscriptionGroup(a, 'it-group-custom')).toEqual(custom);

    const many = Array.from({ length: 20 }, (_, i) => group(`it-group-${i}`, { retryMaxTimes: i, consumeEnable: i % 2 === 0 }));
    expect(await admin.createOrUpdateSubscriptionGroups(a, many, { batchSize: 8 })).toEqual({ written: 20, requests: 3, mode: 'list' });
    const table = await admin.subscriptionGroups(a);
    for (const g of [custom, ...many]) expect(table.get(g.groupName)).toEqual(g);
    expect(table.has('TOOLS_CONSUMER')).toBe(true);

    const sections = keyValueSections(expectSuccess(await mq.mqadmin(['getConsumerConfig', '-g', 'it-group-custom']), 'getConsumerConfig'));
    const seen = sections.get('test-cluster:broker-a');
    expect(seen).toMatchObject({
      groupName: 'it-group-custom',
      consumeBroadcastEnable: 'false',
      consumeMessageOrderly: 'true',
      retryQueueNums: '2',
      retryMaxTimes: '5',
      whichBrokerWhenConsumeSlowly: '0',
      consumeTimeoutMinute: '7',
    });
    expect(seen?.groupRetryPolicy).toContain('EXPONENTIAL');
    expect(sections.has('test-cluster:broker-b')).toBe(false);

    await admin.deleteSubscriptionGroup(a, 'it-group-custom', true);
    expect(await admin.subscriptionGroup(a, 'it-group-custom')).toBeUndefined();
    expect((await admin.subscriptionGroups(a)).has('it-group-custom')).toBe(false);
    const after = await mq.mqadmin(['getConsumerConfig', '-g', 'it-group-custom']);
    expect(keyValueSections(after.stdout).has('test-cluster:broker-a')).toBe(false);
    await saveBody('subscription-groups.json', a, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
  });

  test('deletes a topic in the brokers and in the name server', async () => {
    await Promise.all([admin.createOrUpdateTopic(a, topic('it-doomed')), admin.createOrUpdateTopic(b, topic('it-doomed'))]);
    await eventually(async () => expect((await admin.topicRoute('it-doomed')).queueDatas).toHaveLength(2));

    await admin.deleteTopic('it-doomed', 'test-cluster');
    expect(await admin.topicConfig(a, 'it-doomed')).toBeUndefined();
    expect(await admin.topicConfig(b, 'it-doomed')).toBeUndefined();
    await expect(admin.topicRoute('it-doomed')).rejects.toMatchObject({ code: 17 });
    const listed = expectSuccess(await mq.mqadmin(['topicList']), 'topicList')
      .split('\n')
      .map((l) => l.trim());
    expect(listed).not.toContain('it-doomed');
    expect(listed).toContain('it-orders');
  });

  test('reports lag per queue, topic offsets and consuming groups like consumerProgress, topicStatus and topicList -c', async () => {
    const lagTopic = topic('it-lag', { readQueueNums: 2, writeQueueNums: 2 });
    const lagGroup = group('it-lag-group');
    await Promise.all([a, b].map((address) => admin.createOrUpdateTopic(address, lagTopic)));
    await Promise.all([a, b].map((address) => admin.createOrUpdateSubscriptionGroup(address, lagGroup)));
    await eventually(async () => expect((await admin.topicRoute('it-lag')).queueDatas).toHaveLength(2));

    const sent = await mq.produce('it-lag', 10, 'broker-a');
    expect(sent).toHaveLength(10);
    // Committed offsets without any consumer: queue 0 of broker-a at 2, broker-b's queue 0 at 0.
    await admin.updateConsumerOffset(a, 'it-lag-group', 'it-lag', 0, 2);
    await admin.updateConsumerOffset(b, 'it-lag-group', 'it-lag', 0, 0);

    const stats = await admin.consumeStats('it-lag-group', 'it-lag');
    expect(
      stats.queues.map(({ brokerName, queueId, brokerOffset, consumerOffset, lag }) => ({
        brokerName,
        queueId,
        brokerOffset,
        consumerOffset,
        lag,
      })),
    ).toEqual([
      { brokerName: 'broker-a', queueId: 0, brokerOffset: 5, consumerOffset: 2, lag: 3 },
      { brokerName: 'broker-a', queueId: 1, brokerOffset: 5, consumerOffset: 0, lag: 5 },
      { brokerName: 'broker-b', queueId: 0, brokerOffset: 0, consumerOffset: 0, lag: 0 },
      { brokerName: 'broker-b', queueId: 1, brokerOffset: 0, consumerOffset: 0, lag: 0 },
    ]);
    expect(stats.totalLag).toBe(8);
    expect((await admin.consumeStats('it-lag-group')).totalLag).toBe(8);

    const topicStats = await admin.topicStats('it-lag');
    expect(
      topicStats.queues.map(({ brokerName, queueId, minOffset, maxOffset }) => ({ brokerName, queueId, minOffset, maxOffset })),
    ).toEqual([
      { brokerName: 'broker-a', queueId: 0, minOffset: 0, maxOffset: 5 },
      { brokerName: 'broker-a', queueId: 1, minOffset: 0, maxOffset: 5 },
      { brokerName: 'broker-b', queueId: 0, minOffset: 0, maxOffset: 0 },
      { brokerName: 'broker-b', queueId: 1, minOffset: 0, maxOffset: 0 },
    ]);
    expect(topicStats.queues[0].lastUpdateTimestamp).toBeGreaterThan(0);
    expect(await admin.topicConsumers('it-lag')).toEqual(['it-lag-group']);

    const [progress, status, listed] = await Promise.all([
      mq.mqadmin(['consumerProgress', '-g', 'it-lag-group', '-t', 'it-lag']),
      mq.mqadmin(['topicStatus', '-t', 'it-lag']),
      mq.mqadmin(['topicList', '-c']),
    ]);
    const progressText = expectSuccess(progress, 'consumerProgress');
    const progressRows = tableRows(progressText).map(([t, broker, qid, brokerOffset, consumerOffset, diff]) => ({
      topic: t,
      brokerName: broker,
      queueId: Number(qid),
      brokerOffset: Number(brokerOffset),
      consumerOffset: Number(consumerOffset),
      lag: Number(diff),
    }));
    expect(progressRows.sort((x, y) => x.brokerName.localeCompare(y.brokerName) || x.queueId - y.queueId)).toEqual(
      stats.queues.map(({ topic: t, brokerName, queueId, brokerOffset, consumerOffset, lag }) => ({
        topic: t,
        brokerName,
        queueId,
        brokerOffset,
        consumerOffset,
        lag,
      })),
    );
    expect(labelledValue(progressText, 'Consume Diff Total')).toBe(String(stats.totalLag));

    const statusRows = tableRows(expectSuccess(status, 'topicStatus')).map(([broker, qid, min, max]) => ({
      brokerName: broker,
      queueId: Number(qid),
      minOffset: Number(min),
      maxOffset: Number(max),
    }));
    expect(statusRows).toEqual(
      topicStats.queues.map(({ brokerName, queueId, minOffset, maxOffset }) => ({ brokerName, queueId, minOffset, maxOffset })),
    );

    const consumerRows = tableRows(expectSuccess(listed, 'topicList -c')).filter((row) => row[1] === 'it-lag');
    expect(consumerRows).toEqual([['test-cluster', 'it-lag', 'it-lag-group']]);

    await saveBody('consume-stats.json', a, RequestCode.GET_CONSUME_STATS, { consumerGroup: 'it-lag-group', topic: 'it-lag' });
    await saveBody('topic-stats.json', a, RequestCode.GET_TOPIC_STATS_INFO, { topic: 'it-lag' });
    await saveBody('group-list.json', a, RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: 'it-lag' });
    await saveBody('topic-list.json', mq.nameServer, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
  });

  test('reads and updates broker config like getBrokerConfig, and reports refused keys', async () => {
    await admin.updateBrokerConfig(b, { fileReservedTime: 24, maxMessageSize: 2097152 });
    const [ours, printed] = await Promise.all([admin.brokerConfig(b), mq.mqadmin(['getBrokerConfig', '-b', b])]);
    expect(ours).toMatchObject({
      brokerName: 'broker-b',
      brokerClusterName: 'test-cluster',
      listenPort: String(mq.broker('broker-b').port),
      fileReservedTime: '24',
      maxMessageSize: '2097152',
    });
    const theirs = keyValueSections(expectSuccess(printed, 'getBrokerConfig')).get(b);
    expect(theirs).toBeDefined();
    for (const key of [
      'brokerName',
      'brokerClusterName',
      'listenPort',
      'fileReservedTime',
      'maxMessageSize',
      'brokerPermission',
      'namesrvAddr',
    ]) {
      expect([key, theirs?.[key]]).toEqual([key, ours[key]]);
    }

    const refused = await admin.updateBrokerConfig(b, { brokerConfigPath: '/tmp/elsewhere' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RemotingResponseError);
    expect(refused).toMatchObject({
      code: 16,
      requestCode: RequestCode.UPDATE_BROKER_CONFIG,
      address: b,
      remark: 'Can not update config in black list.',
    });
    if (capture) {
      const reply = await admin.client.call(b, RequestCode.GET_BROKER_CONFIG);
      writeFileSync(join(fixtureDir, 'broker-config.properties'), reply.body ?? Buffer.alloc(0));
    }
  });

  test('wipes and restores the write permission of a broker on the name server', async () => {
    await admin.createOrUpdateTopic(b, topic('it-perm'));
    await eventually(async () => expect((await admin.topicRoute('it-perm')).queueDatas).toHaveLength(1));
    const wiped = await admin.wipeWritePerm('broker-b');
    expect(wiped).toHaveLength(1);
    expect(wiped[0].nameServer).toBe(mq.nameServer);
    expect(wiped[0].value).toBeGreaterThan(0);
    expect((await admin.topicRoute('it-perm')).queueDatas[0].perm).toBe(4);
    const printed = parseFastjson(expectSuccess(await mq.mqadmin(['topicRoute', '-t', 'it-perm']), 'topicRoute')) as FastjsonObject;
    expect((printed.queueDatas as FastjsonObject[])[0].perm).toBe(4);

    const added = await admin.addWritePerm('broker-b');
    expect(added[0].value).toBe(wiped[0].value);
    expect((await admin.topicRoute('it-perm')).queueDatas[0].perm).toBe(6);
    // The broker itself never lost the write bit.
    expect((await admin.topicConfig(b, 'it-perm'))?.perm).toBe(6);
  });

  test('errors carry the server code, remark, request code and address', async () => {
    const missing = await admin.topicRoute('it-no-such-topic').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(RemotingResponseError);
    expect(missing).toMatchObject({ code: 17, requestCode: RequestCode.GET_ROUTEINFO_BY_TOPIC, address: mq.nameServer });
    expect((missing as RemotingResponseError).remark).toContain('it-no-such-topic');
    expect((missing as Error).message).toContain(`request 105 to ${mq.nameServer} failed with code 17`);

    const system = await admin.createOrUpdateTopic(a, topic('TBW102')).catch((e: unknown) => e);
    expect(system).toBeInstanceOf(RemotingResponseError);
    expect([1, 29]).toContain((system as RemotingResponseError).code);
    expect((system as RemotingResponseError).remark).toContain('system topic');

    const nowhere = new RocketMQAdmin({ nameServers: '127.0.0.1:1', timeoutMs: 2000 });
    await expect(nowhere.clusterInfo()).rejects.toBeInstanceOf(RemotingConnectionError);
    nowhere.close();
  });
});
