// The tolerant reader on response bodies captured from the test brokers (test/fixtures/rocketmq,
// written by admin.it.test.ts with CAPTURE_ROCKETMQ_FIXTURES=1) and on hand-made edge cases.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  decodeClusterInfo,
  decodeConsumeStats,
  decodeKvTable,
  decodeStringList,
  decodeSubscriptionGroupTable,
  decodeTopicConfigTable,
  decodeTopicRoute,
  decodeTopicStats,
} from '../../hooks/rocketmq/decode.js';
import { RemotingDecodeError } from '../../hooks/rocketmq/errors.js';
import { mapEntries, parseFastjson, type FastjsonMap, type FastjsonObject } from '../../hooks/rocketmq/fastjson.js';
import { parseConfigLines } from '../../hooks/rocketmq/properties.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/rocketmq');
const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

describe('fastjson bodies captured from RocketMQ 5.3.3', () => {
  it('cluster info: unquoted numeric broker ids become Map keys', () => {
    const text = fixture('cluster-info.json');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const value = parseFastjson(text) as FastjsonObject;
    const brokerA = (value.brokerAddrTable as FastjsonObject)['broker-a'] as FastjsonObject;
    const addrs = brokerA.brokerAddrs as FastjsonMap;
    expect(addrs).toBeInstanceOf(Map);
    expect([...addrs.keys()]).toEqual([0]);
    expect(addrs.get(0)).toMatch(/^127\.0\.0\.1:\d+$/);

    const info = decodeClusterInfo(value);
    expect(info.clusters.get('test-cluster')).toEqual(['broker-a', 'broker-b']);
    expect(info.brokers.get('broker-b')).toMatchObject({ cluster: 'test-cluster', brokerName: 'broker-b', enableActingMaster: false });
    expect(info.brokers.get('broker-b')?.brokerAddrs.get(0)).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('consume stats: MessageQueue objects as keys, lag per queue', () => {
    const text = fixture('consume-stats.json');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const value = parseFastjson(text) as FastjsonObject;
    const table = value.offsetTable as FastjsonMap;
    expect(table).toBeInstanceOf(Map);
    const [firstKey] = [...table.keys()] as FastjsonObject[];
    expect(firstKey).toEqual({ brokerName: 'broker-a', queueId: expect.any(Number), topic: 'it-lag' });

    const stats = decodeConsumeStats([value]);
    expect(
      stats.queues.map(({ queueId, brokerOffset, consumerOffset, pullOffset, lag }) => ({
        queueId,
        brokerOffset,
        consumerOffset,
        pullOffset,
        lag,
      })),
    ).toEqual([
      { queueId: 0, brokerOffset: 5, consumerOffset: 2, pullOffset: 2, lag: 3 },
      { queueId: 1, brokerOffset: 5, consumerOffset: 0, pullOffset: 0, lag: 5 },
    ]);
    expect(stats.totalLag).toBe(8);
    expect(stats.queues[0].lastTimestamp).toBeGreaterThan(1_600_000_000_000);
  });

  it('topic stats: offsets per queue and the 5.x put TPS', () => {
    const stats = decodeTopicStats([parseFastjson(fixture('topic-stats.json'))]);
    expect(stats.queues.map((q) => [q.brokerName, q.queueId, q.minOffset, q.maxOffset])).toEqual([
      ['broker-a', 0, 0, 5],
      ['broker-a', 1, 0, 5],
    ]);
    expect(typeof stats.putTps).toBe('number');
  });

  it('merges stats of several brokers', () => {
    const a = parseFastjson(fixture('consume-stats.json'));
    const b = parseFastjson(fixture('consume-stats.json').replaceAll('broker-a', 'broker-b'));
    const merged = decodeConsumeStats([b, a]);
    expect(merged.queues.map((q) => `${q.brokerName}/${q.queueId}`)).toEqual(['broker-a/0', 'broker-a/1', 'broker-b/0', 'broker-b/1']);
    expect(merged.totalLag).toBe(16);
  });

  it('topic route requested as standard JSON: quoted ids', () => {
    const route = decodeTopicRoute(parseFastjson(fixture('topic-route.json')));
    expect(route.brokerDatas.map((b) => b.brokerName).sort()).toEqual(['broker-a', 'broker-b']);
    expect(route.brokerDatas.every((b) => /^127\.0\.0\.1:\d+$/.test(b.brokerAddrs.get(0) ?? ''))).toBe(true);
    expect(route.queueDatas.find((q) => q.brokerName === 'broker-a')).toEqual({
      brokerName: 'broker-a',
      readQueueNums: 2,
      writeQueueNums: 2,
      perm: 4,
      topicSysFlag: 0,
    });
  });

  it('the route mqadmin prints: pretty fastjson with tabs and unquoted ids', () => {
    const route = decodeTopicRoute(parseFastjson(fixture('mqadmin-topic-route.txt')));
    expect(route.brokerDatas).toHaveLength(2);
    expect(route.brokerDatas[0].brokerAddrs.get(0)).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(route.queueDatas.every((q) => q.readQueueNums === 3)).toBe(true);
  });

  it('all topic configs and all subscription groups', () => {
    const topics = decodeTopicConfigTable(parseFastjson(fixture('topic-configs.json')));
    expect(topics.get('TBW102')).toMatchObject({ perm: 7, readQueueNums: 8 });
    expect(topics.get('it-bulk-0')).toEqual({
      topicName: 'it-bulk-0',
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 4,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 1,
      order: true,
      attributes: {},
    });
    const groups = decodeSubscriptionGroupTable(parseFastjson(fixture('subscription-groups.json')));
    expect(groups.get('TOOLS_CONSUMER')).toMatchObject({
      groupName: 'TOOLS_CONSUMER',
      retryMaxTimes: 16,
      groupRetryPolicy: { type: 'CUSTOMIZED' },
    });
    expect(groups.get('it-group-3')).toMatchObject({ retryMaxTimes: 3, consumeEnable: false });
  });

  it('lists, runtime info and broker config text', () => {
    expect(decodeStringList(parseFastjson(fixture('group-list.json')), 'groupList')).toEqual(['it-lag-group']);
    expect(decodeStringList(parseFastjson(fixture('topic-list.json')), 'topicList')).toContain('TBW102');
    expect(decodeKvTable(parseFastjson(fixture('broker-runtime-info.json')))).toMatchObject({
      brokerVersionDesc: 'V5_3_3',
      brokerVersion: '479',
    });
    const config = parseConfigLines(fixture('broker-config.properties'));
    expect(config).toMatchObject({ brokerName: 'broker-b', brokerClusterName: 'test-cluster', fileReservedTime: '24' });
    expect(config.namesrvAddr).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});

describe('the tolerant reader', () => {
  it('accepts any value as a key', () => {
    const value = parseFastjson('{1:"a",-2.5e1:"b",true:null,[1,2]:"arr",{"x":{"y":1}}:"obj","s":"str"}') as FastjsonMap;
    expect([...value.entries()]).toEqual([
      [1, 'a'],
      [-25, 'b'],
      [true, null],
      [[1, 2], 'arr'],
      [{ x: { y: 1 } }, 'obj'],
      ['s', 'str'],
    ]);
  });

  it('reads strings with escapes and single quotes, and keeps __proto__ as a plain key', () => {
    const value = parseFastjson(`{0:'its',"e":"\\u4e3b\\n\\"q\\"\\\\"}`) as FastjsonMap;
    expect(value.get(0)).toBe('its');
    expect(value.get('e')).toBe('主\n"q"\\');
    const plain = parseFastjson('{"__proto__":{"polluted":true},"a":[]}') as FastjsonObject;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['__proto__', 'a']);
    const viaTolerantPath = parseFastjson('{"__proto__":{"polluted":true},"a":{1:2}}') as FastjsonObject;
    expect(Object.keys(viaTolerantPath)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps fastjson references as plain objects', () => {
    expect(parseFastjson('{1:{"$ref":"$.a"}}')).toEqual(new Map([[1, { $ref: '$.a' }]]));
  });

  it('iterates map entries of either form', () => {
    expect(mapEntries(parseFastjson('{"a":1}'))).toEqual([['a', 1]]);
    expect(mapEntries(parseFastjson('{0:1}'))).toEqual([[0, 1]]);
    expect(mapEntries(undefined)).toEqual([]);
    expect(() => mapEntries(parseFastjson('[1]'))).toThrow(RemotingDecodeError);
  });

  it('reports where malformed input breaks', () => {
    expect(() => parseFastjson('{0:"a",}')).toThrow(/unexpected character "}" at offset 7/);
    expect(() => parseFastjson('{0:"a"')).toThrow(/expected ',' or '}' in object/);
    expect(() => parseFastjson('{0 "a"}')).toThrow(/expected ':'/);
    expect(() => parseFastjson('{0:"a"} x')).toThrow(/unexpected text after the value/);
    expect(() => parseFastjson('{0:"\\u12"}')).toThrow(/bad \\u escape/);
    expect(() => parseFastjson(`${'['.repeat(300)}{0:1}${']'.repeat(300)}`)).toThrow(/nesting deeper than 256/);
  });
});
