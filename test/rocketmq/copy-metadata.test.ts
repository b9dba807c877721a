// The metadata copy's decisions and failure handling, against in-memory brokers.
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import {
  attributeChanges,
  canonicalJson,
  formatAttributeChanges,
  subscriptionGroupsEqual,
  topicConfigsEqual,
  V4_FIELDS,
} from '../../hooks/rocketmq/topic-config.js';
import { copyMetadata, CopyMetadataError } from '../../hooks/runner/copy-metadata.js';
import { runRunner } from '../../hooks/runner/main.js';
import { isTransient, withRetry } from '../../hooks/runner/retry.js';
import { isSystemGroup, isSystemTopic } from '../../hooks/runner/system-names.js';
import { RemotingConnectionError, RemotingResponseError } from '../../hooks/rocketmq/errors.js';
import { startFakeBroker, type FakeBroker } from './fake-broker.js';
import { groupConfig, topicConfig } from '../support/rocketmq-configs.js';

const noWait = { attempts: 3, backoffMs: 1, sleep: async () => undefined };

const topic = topicConfig;
const group = groupConfig;

describe('system names', () => {
  const names = new Set(['broker-a', 'cluster-a']);
  it.each([
    'TBW102',
    'SCHEDULE_TOPIC_XXXX',
    'BenchmarkTest',
    'SELF_TEST_TOPIC',
    'OFFSET_MOVED_EVENT',
    'RMQ_SYS_TRANS_HALF_TOPIC',
    'TRANS_CHECK_MAX_TIME_TOPIC',
    'rmq_sys_wheel_timer',
    'rmq_sys_REVIVE_LOG_cluster-a',
    'broker-a',
    'cluster-a',
    'cluster-a_REPLY_TOPIC',
    '%RETRY%TOOLS_CONSUMER',
    '%DLQ%CID_RMQ_SYS_TRANS',
  ])('topic %s is a system topic', (name) => expect(isSystemTopic(name, names)).toBe(true));
  it.each(['orders', '%RETRY%orders-group', '%DLQ%orders-group', 'broker-b_REPLY_TOPIC', 'rmq_sys', 'tbw102'])(
    'topic %s is copied',
    (name) => expect(isSystemTopic(name, names)).toBe(false),
  );
  it.each([
    'TOOLS_CONSUMER',
    'FILTERSRV_CONSUMER',
    'SELF_TEST_C_GROUP',
    'CID_ONS-HTTP-PROXY',
    'CID_ONSAPI_PULL',
    'CID_ONSAPI_OWNER',
    'CID_ONSAPI_PERMISSION',
    'CID_RMQ_SYS_TRANS',
    'CID_RMQ_SYS_ANYTHING',
  ])('group %s is a system group', (name) => expect(isSystemGroup(name)).toBe(true));
  it('ordinary groups are copied', () => expect(isSystemGroup('orders-group')).toBe(false));
});

describe('comparing and writing configs', () => {
  it('sends attributes as changes to what the broker holds', () => {
    expect(attributeChanges({ 'message.type': 'NORMAL' })).toEqual({ '+message.type': 'NORMAL' });
    expect(attributeChanges({ a: '1', b: '2' }, { a: '1', c: '3' })).toEqual({ '+b': '2', '-c': '' });
    expect(attributeChanges({ a: '1' }, { a: '1' })).toEqual({});
    expect(formatAttributeChanges({ '+b': '2', '-c': '' })).toBe('+b=2,-c');
  });

  it('compares whole configs, attributes and key order included', () => {
    expect(topicConfigsEqual(topic('t'), topic('t'))).toBe(true);
    expect(topicConfigsEqual(topic('t', { attributes: { a: '1', b: '2' } }), topic('t', { attributes: { b: '2', a: '1' } }))).toBe(true);
    for (const change of [
      { perm: 4 },
      { readQueueNums: 1 },
      { writeQueueNums: 1 },
      { order: true },
      { topicSysFlag: 1 },
      { topicFilterType: 'MULTI_TAG' as const },
      { attributes: { a: '1' } },
    ]) {
      expect(topicConfigsEqual(topic('t'), topic('t', change))).toBe(false);
    }
    expect(subscriptionGroupsEqual(group('g'), group('g'))).toBe(true);
    expect(subscriptionGroupsEqual(group('g'), group('g', { retryMaxTimes: 3 }))).toBe(false);
    expect(subscriptionGroupsEqual(group('g', { extra: { x: 1, y: 2 } }), group('g', { extra: { y: 2, x: 1 } }))).toBe(true);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    // 4.x brokers keep neither the order flag nor attributes, nor the 5.x group fields.
    expect(topicConfigsEqual(topic('t', { order: true, attributes: { a: '1' } }), topic('t'), V4_FIELDS)).toBe(true);
    expect(topicConfigsEqual(topic('t', { perm: 4 }), topic('t'), V4_FIELDS)).toBe(false);
    expect(
      subscriptionGroupsEqual(group('g', { consumeTimeoutMinute: 3, groupRetryPolicy: { type: 'EXPONENTIAL' } }), group('g'), V4_FIELDS),
    ).toBe(true);
    expect(subscriptionGroupsEqual(group('g', { retryMaxTimes: 3 }), group('g'), V4_FIELDS)).toBe(false);
  });
});

describe('retries', () => {
  it('retries transient failures with doubling backoff, and gives up after the attempts', async () => {
    const waits: number[] = [];
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new RemotingResponseError(17, 2, '[REJECTREQUEST]system busy', '127.0.0.1:1');
      },
      { attempts: 4, backoffMs: 100, sleep: async (ms) => void waits.push(ms) },
    );
    await expect(failing).rejects.toThrow(/system busy \(after 4 attempts\)$/);
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('does not retry a refusal', async () => {
    let calls = 0;
    const refused = withRetry(async () => {
      calls++;
      throw new RemotingResponseError(25, 16, 'Can not update config in black list.', '127.0.0.1:1');
    }, noWait);
    await expect(refused).rejects.toBeInstanceOf(RemotingResponseError);
    expect(calls).toBe(1);
    expect(isTransient(new RemotingConnectionError('down', '127.0.0.1:1'))).toBe(true);
    expect(isTransient(new Error('bug'))).toBe(false);
  });
});

describe('copying metadata between brokers', () => {
  let brokers: FakeBroker[] = [];
  let admin: RocketMQAdmin;

  beforeEach(() => {
    admin = new RocketMQAdmin({ timeoutMs: 2000 });
  });

  afterEach(async () => {
    admin.close();
    await Promise.all(brokers.map((b) => b.close()));
    brokers = [];
  });

  async function fakeBroker(brokerName: string, listRequests = true): Promise<FakeBroker> {
    const broker = await startFakeBroker({ brokerName, clusterName: 'c1', listRequests });
    brokers.push(broker);
    return broker;
  }

  async function seededSource(): Promise<FakeBroker> {
    const source = await fakeBroker('broker-a');
    for (const t of [
      topic('orders', { attributes: { 'message.type': 'FIFO' }, order: true }),
      topic('payments', { perm: 4 }),
      topic('TBW102', { perm: 7 }),
      topic('broker-a'),
      topic('c1'),
    ]) {
      source.topics.set(t.topicName, t);
    }
    for (const g of [group('orders-group', { retryMaxTimes: 3 }), group('TOOLS_CONSUMER')]) source.groups.set(g.groupName, g);
    return source;
  }

  it('copies to several targets, then has nothing left to do', async () => {
    const source = await seededSource();
    const b = await fakeBroker('broker-b');
    const c = await fakeBroker('broker-c', false); // no list requests, like 4.9.x
    c.topics.set('payments', topic('payments', { perm: 4 }));
    c.topics.set('orders', topic('orders', { attributes: { stale: 'x' } }));

    const summary = await copyMetadata(admin, {
      source: { address: source.address },
      targets: [{ address: b.address }, { address: c.address, brokerName: 'broker-c' }],
      retry: noWait,
    });
    for (const target of [b, c]) {
      expect(target.topics.get('orders')).toEqual(source.topics.get('orders'));
      expect(target.topics.get('payments')).toEqual(source.topics.get('payments'));
      expect(target.groups.get('orders-group')).toEqual(source.groups.get('orders-group'));
      expect(target.topics.has('TBW102')).toBe(false);
      expect(target.topics.has('broker-a')).toBe(false);
      expect(target.topics.has('c1')).toBe(false);
      expect(target.groups.has('TOOLS_CONSUMER')).toBe(false);
    }
    expect(summary.skipped).toEqual({ topics: 3, groups: 1 });
    expect(summary.targets).toEqual([
      { brokerName: 'broker-b', address: b.address, topics: { copied: 2, unchanged: 0 }, groups: { copied: 1, unchanged: 0 }, writes: 2 },
      { brokerName: 'broker-c', address: c.address, topics: { copied: 1, unchanged: 1 }, groups: { copied: 1, unchanged: 0 }, writes: 4 },
    ]);
    // broker-c refused the list requests (code 3) and got one request per item.
    expect(c.server.requests.map((r) => r.code).filter((code) => code !== 21 && code !== 201 && code !== 26)).toEqual([18, 17, 225, 200]);

    const second = await copyMetadata(admin, {
      source: { address: source.address },
      targets: [{ address: b.address }, { address: c.address }],
      retry: noWait,
    });
    expect(second.writes).toBe(0);
    expect(second.copied).toBe(0);
    expect(second.unchanged).toBe(6);
  });

  it('compares only what a 4.x target keeps, so copying 5.x metadata onto it settles', async () => {
    const source = await seededSource();
    source.groups.set('fifo-group', group('fifo-group', { consumeMessageOrderly: true, consumeTimeoutMinute: 3 }));
    const old = await startFakeBroker({ brokerName: 'broker-old', clusterName: 'c1', version: 407 });
    brokers.push(old);
    const first = await copyMetadata(admin, { source: { address: source.address }, targets: [{ address: old.address }], retry: noWait });
    expect(first.targets[0]).toMatchObject({ topics: { copied: 2, unchanged: 0 }, groups: { copied: 2, unchanged: 0 }, writes: 6 }); // two refused list requests, four single writes
    expect(old.topics.get('orders')).toEqual({ ...source.topics.get('orders'), order: false, attributes: {} });
    const second = await copyMetadata(admin, { source: { address: source.address }, targets: [{ address: old.address }], retry: noWait });
    expect(second.writes).toBe(0);
  });

  it('rides out a busy target', async () => {
    const source = await seededSource();
    const target = await fakeBroker('broker-b');
    target.failures.set(18, [2]);
    target.failures.set(201, [2]);
    const summary = await copyMetadata(admin, {
      source: { address: source.address },
      targets: [{ address: target.address }],
      retry: noWait,
    });
    expect(summary.copied).toBe(3);
    expect(target.topics.get('orders')).toEqual(source.topics.get('orders'));
  });

  it('names the target and its address when it refuses a write', async () => {
    const source = await seededSource();
    const good = await fakeBroker('broker-b');
    const refusing = await fakeBroker('broker-c');
    refusing.failures.set(18, [16]);
    const error = await copyMetadata(admin, {
      source: { address: source.address },
      targets: [{ address: good.address }, { address: refusing.address }],
      retry: noWait,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyMetadataError);
    expect((error as Error).message).toBe(
      `target broker broker-c (${refusing.address}) rejected a write: request 18 to ${refusing.address} failed with code 16: scripted failure`,
    );
    // The other target was still done, and the summary says so.
    expect((error as CopyMetadataError).summary?.targets?.map((t) => t.brokerName)).toEqual(['broker-b']);
    expect(good.topics.has('orders')).toBe(true);
  });

  it('gives up on a target that stays busy, after the bounded attempts', async () => {
    const source = await seededSource();
    const target = await fakeBroker('broker-b');
    target.failures.set(18, [2, 2, 2, 2, 2]);
    const error = await copyMetadata(admin, {
      source: { address: source.address },
      targets: [{ address: target.address }],
      retry: noWait,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot write to target broker broker-b \\(${target.address}\\): .*code 2: scripted failure \\(after 3 attempts\\)$`),
    );
  });

  it('refuses a broker that is not the one named, and copying a broker onto itself', async () => {
    const source = await seededSource();
    const target = await fakeBroker('broker-b');
    await expect(
      copyMetadata(admin, {
        source: { address: source.address },
        targets: [{ address: target.address, brokerName: 'broker-z' }],
        retry: noWait,
      }),
    ).rejects.toThrow(`cannot reach target broker broker-z (${target.address}): ${target.address} is broker broker-b, not broker-z`);
    await expect(copyMetadata(admin, { source: { address: source.address }, targets: [{ address: source.address }] })).rejects.toThrow(
      /is the source broker/,
    );
  });
});

describe('the runner command line', () => {
  async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runRunner(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out, err };
  }

  it.each([
    [[], /no command given; commands: copy-metadata/],
    [['transfer-everything'], /unknown command transfer-everything/],
    [['copy-metadata', '--target-addr', '127.0.0.1:1'], /give --source-broker or --source-addr/],
    [['copy-metadata', '--source-addr', '127.0.0.1:1'], /give --target-broker or --target-addr/],
    [['copy-metadata', '--source-broker', 'a', '--target-broker', 'b'], /--namesrv is needed/],
    [
      ['copy-metadata', '--source-addr', '127.0.0.1:1', '--target-addr', '127.0.0.1:2', '--attempts', '0'],
      /--attempts must be an integer of at least 1/,
    ],
    [['copy-metadata', '--source-addr', '127.0.0.1:1', '--target-addr', '127.0.0.1:2', '--bogus', 'x'], /unknown option --bogus/],
    [['copy-metadata', '--source-addr'], /option --source-addr needs a value/],
  ])('rejects %j with exit code 2', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toMatch(message);
    expect(result.out).toEqual([]);
  });

  it('reports an unreachable name server', async () => {
    const result = await run([
      'copy-metadata',
      '--namesrv',
      '127.0.0.1:1',
      '--source-broker',
      'a',
      '--target-broker',
      'b',
      '--attempts',
      '2',
      '--backoff-ms',
      '1',
    ]);
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(
      /^copy-metadata: cannot read cluster info from name servers 127\.0\.0\.1:1: connection to 127\.0\.0\.1:1 failed: ECONNREFUSED \(after 2 attempts\)$/,
    );
  });
});
