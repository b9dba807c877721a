// Turns decoded fastjson bodies into typed objects, checking the fields that are relied upon.
import { RemotingDecodeError } from './errors.js';
import { mapEntries, type FastjsonObject, type FastjsonValue } from './fastjson.js';
import type {
  BrokerData,
  ClusterInfo,
  ConsumeStats,
  GroupRetryPolicy,
  MessageQueue,
  QueueConsumeStats,
  QueueData,
  QueueOffsets,
  ReplicaIdentity,
  ReplicasInfo,
  SubscriptionGroupConfig,
  TopicConfig,
  TopicRouteData,
  TopicStats,
} from './types.js';

function object(value: FastjsonValue | undefined, what: string): FastjsonObject {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value) || value instanceof Map) {
    throw new RemotingDecodeError(`${what}: expected an object with string keys`);
  }
  return value;
}

function num(value: FastjsonValue | undefined, what: string, fallback?: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  throw new RemotingDecodeError(`${what}: expected a number`);
}

function str(value: FastjsonValue | undefined, what: string): string {
  if (typeof value === 'string') return value;
  throw new RemotingDecodeError(`${what}: expected a string`);
}

function bool(value: FastjsonValue | undefined, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : fallback;
}

function stringMap(value: FastjsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of mapEntries(value)) out[String(key)] = String(v);
  return out;
}

export function decodeTopicConfig(value: FastjsonValue, fallbackName?: string): TopicConfig {
  const o = object(value, 'topic config');
  const topicName = o.topicName === undefined && fallbackName !== undefined ? fallbackName : str(o.topicName, 'topicName');
  const at = `topic ${topicName}`;
  return {
    topicName,
    readQueueNums: num(o.readQueueNums, `${at} readQueueNums`),
    writeQueueNums: num(o.writeQueueNums, `${at} writeQueueNums`),
    perm: num(o.perm, `${at} perm`),
    topicFilterType: o.topicFilterType === 'MULTI_TAG' ? 'MULTI_TAG' : 'SINGLE_TAG',
    topicSysFlag: num(o.topicSysFlag, `${at} topicSysFlag`, 0),
    order: bool(o.order, false),
    attributes: stringMap(o.attributes),
  };
}

/** A `<name>Table` of a wrapper object, decoded entry by entry and keyed by name. */
function decodeNamedTable<T>(
  value: FastjsonValue,
  wrapper: string,
  field: string,
  decode: (entry: FastjsonValue, name: string) => T,
): Map<string, T> {
  const table = new Map<string, T>();
  for (const [name, entry] of mapEntries(object(value, wrapper)[field])) table.set(String(name), decode(entry, String(name)));
  return table;
}

/** GET_ALL_TOPIC_CONFIG: `topicConfigTable` of the wrapper, keyed by topic name. */
export function decodeTopicConfigTable(value: FastjsonValue): Map<string, TopicConfig> {
  return decodeNamedTable(value, 'topic config wrapper', 'topicConfigTable', decodeTopicConfig);
}

/** Applies the Java defaults to fields a (possibly older) broker left out. */
export function decodeSubscriptionGroup(value: FastjsonValue, fallbackName?: string): SubscriptionGroupConfig {
  const o = object(value, 'subscription group');
  const groupName = o.groupName === undefined && fallbackName !== undefined ? fallbackName : str(o.groupName, 'groupName');
  const at = `group ${groupName}`;
  return {
    ...(o as Record<string, unknown>),
    groupName,
    consumeEnable: bool(o.consumeEnable, true),
    consumeFromMinEnable: bool(o.consumeFromMinEnable, true),
    consumeBroadcastEnable: bool(o.consumeBroadcastEnable, true),
    consumeMessageOrderly: bool(o.consumeMessageOrderly, false),
    retryQueueNums: num(o.retryQueueNums, `${at} retryQueueNums`, 1),
    retryMaxTimes: num(o.retryMaxTimes, `${at} retryMaxTimes`, 16),
    brokerId: num(o.brokerId, `${at} brokerId`, 0),
    whichBrokerWhenConsumeSlowly: num(o.whichBrokerWhenConsumeSlowly, `${at} whichBrokerWhenConsumeSlowly`, 1),
    notifyConsumerIdsChangedEnable: bool(o.notifyConsumerIdsChangedEnable, true),
    groupSysFlag: num(o.groupSysFlag, `${at} groupSysFlag`, 0),
    consumeTimeoutMinute: num(o.consumeTimeoutMinute, `${at} consumeTimeoutMinute`, 15),
    // 4.9.x has no retry policy; 5.x fills in this default, so configs of both compare equal.
    groupRetryPolicy: (o.groupRetryPolicy && typeof o.groupRetryPolicy === 'object'
      ? o.groupRetryPolicy
      : { type: 'CUSTOMIZED' }) as GroupRetryPolicy,
    attributes: stringMap(o.attributes),
  };
}

/** GET_ALL_SUBSCRIPTIONGROUP_CONFIG: `subscriptionGroupTable`, keyed by group name. */
export function decodeSubscriptionGroupTable(value: FastjsonValue): Map<string, SubscriptionGroupConfig> {
  return decodeNamedTable(value, 'subscription group wrapper', 'subscriptionGroupTable', decodeSubscriptionGroup);
}

export function decodeBrokerData(value: FastjsonValue): BrokerData {
  const o = object(value, 'broker data');
  const brokerName = str(o.brokerName, 'brokerName');
  const brokerAddrs = new Map<number, string>();
  // Numeric keys arrive unquoted in cluster info and quoted in standard-JSON routes.
  for (const [id, address] of mapEntries(o.brokerAddrs))
    brokerAddrs.set(num(id, `${brokerName} broker id`), str(address, `${brokerName} address`));
  const data: BrokerData = { cluster: typeof o.cluster === 'string' ? o.cluster : '', brokerName, brokerAddrs };
  if (typeof o.zoneName === 'string') data.zoneName = o.zoneName;
  if (typeof o.enableActingMaster === 'boolean') data.enableActingMaster = o.enableActingMaster;
  return data;
}

export function decodeClusterInfo(value: FastjsonValue): ClusterInfo {
  const o = object(value, 'cluster info');
  const brokers = new Map<string, BrokerData>();
  for (const [name, data] of mapEntries(o.brokerAddrTable)) brokers.set(String(name), decodeBrokerData(data));
  const clusters = new Map<string, string[]>();
  for (const [name, members] of mapEntries(o.clusterAddrTable)) {
    if (!Array.isArray(members)) throw new RemotingDecodeError(`cluster ${String(name)}: expected a list of broker names`);
    clusters.set(String(name), members.map((m) => String(m)).sort());
  }
  return { brokers, clusters };
}

export function decodeTopicRoute(value: FastjsonValue): TopicRouteData {
  const o = object(value, 'topic route');
  const queueDatas: QueueData[] = (Array.isArray(o.queueDatas) ? o.queueDatas : []).map((q) => {
    const d = object(q, 'queue data');
    const brokerName = str(d.brokerName, 'queue data brokerName');
    return {
      brokerName,
      readQueueNums: num(d.readQueueNums, `${brokerName} readQueueNums`),
      writeQueueNums: num(d.writeQueueNums, `${brokerName} writeQueueNums`),
      perm: num(d.perm, `${brokerName} perm`),
      topicSysFlag: num(d.topicSysFlag, `${brokerName} topicSysFlag`, 0),
    };
  });
  const brokerDatas = (Array.isArray(o.brokerDatas) ? o.brokerDatas : []).map(decodeBrokerData);
  const route: TopicRouteData = { queueDatas, brokerDatas };
  if (typeof o.orderTopicConf === 'string') route.orderTopicConf = o.orderTopicConf;
  return route;
}

function decodeMessageQueue(value: FastjsonValue): MessageQueue {
  // MessageQueue keys arrive as JSON objects, or as strings when a server quotes non-string keys.
  const key = typeof value === 'string' && value.startsWith('{') ? (JSON.parse(value) as FastjsonValue) : value;
  const o = object(key, 'message queue');
  return { topic: str(o.topic, 'queue topic'), brokerName: str(o.brokerName, 'queue brokerName'), queueId: num(o.queueId, 'queueId') };
}

function byQueue(a: MessageQueue, b: MessageQueue): number {
  return a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId;
}

/** GET_CONSUME_STATS of one or more brokers, merged. */
export function decodeConsumeStats(values: FastjsonValue[]): ConsumeStats {
  const queues: QueueConsumeStats[] = [];
  let consumeTps = 0;
  for (const value of values) {
    const o = object(value, 'consume stats');
    consumeTps += num(o.consumeTps, 'consumeTps', 0);
    for (const [key, wrapper] of mapEntries(o.offsetTable)) {
      const w = object(wrapper, 'offset wrapper');
      const brokerOffset = num(w.brokerOffset, 'brokerOffset');
      const consumerOffset = num(w.consumerOffset, 'consumerOffset');
      const stat: QueueConsumeStats = {
        ...decodeMessageQueue(key),
        brokerOffset,
        consumerOffset,
        lastTimestamp: num(w.lastTimestamp, 'lastTimestamp', 0),
        lag: brokerOffset - consumerOffset,
      };
      if (w.pullOffset !== undefined) stat.pullOffset = num(w.pullOffset, 'pullOffset');
      queues.push(stat);
    }
  }
  queues.sort(byQueue);
  return { consumeTps, queues, totalLag: queues.reduce((sum, q) => sum + q.lag, 0) };
}

/** GET_TOPIC_STATS_INFO of one or more brokers, merged. */
export function decodeTopicStats(values: FastjsonValue[]): TopicStats {
  const queues: QueueOffsets[] = [];
  let putTps: number | undefined;
  for (const value of values) {
    const o = object(value, 'topic stats');
    if (o.topicPutTps !== undefined && o.topicPutTps !== null) putTps = (putTps ?? 0) + num(o.topicPutTps, 'topicPutTps');
    for (const [key, offsets] of mapEntries(o.offsetTable)) {
      const t = object(offsets, 'topic offset');
      queues.push({
        ...decodeMessageQueue(key),
        minOffset: num(t.minOffset, 'minOffset'),
        maxOffset: num(t.maxOffset, 'maxOffset'),
        lastUpdateTimestamp: num(t.lastUpdateTimestamp, 'lastUpdateTimestamp', 0),
      });
    }
  }
  queues.sort(byQueue);
  return putTps === undefined ? { queues } : { queues, putTps };
}

export function decodeStringList(value: FastjsonValue, field: string): string[] {
  const list = object(value, field)[field];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new RemotingDecodeError(`${field}: expected a list`);
  return list.map((item) => String(item));
}

export function decodeKvTable(value: FastjsonValue): Record<string, string> {
  return stringMap(object(value, 'kv table').table);
}

function decodeReplicas(value: FastjsonValue | undefined, what: string): ReplicaIdentity[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RemotingDecodeError(`${what}: expected a list`);
  return value.map((item) => {
    const r = object(item, what);
    return {
      brokerId: num(r.brokerId, `${what} brokerId`),
      brokerAddress: str(r.brokerAddress, `${what} brokerAddress`),
      alive: bool(r.alive, true),
    };
  });
}

/** A controller's BrokerReplicasInfo entry of one group; undefined when the controller does not know the group. */
export function decodeReplicasInfo(value: FastjsonValue, brokerName: string): ReplicasInfo | undefined {
  const table = object(value, 'replicas info').replicasInfoTable;
  const entry = [...mapEntries(table)].find(([name]) => String(name) === brokerName)?.[1];
  if (entry === undefined || entry === null) return undefined;
  const o = object(entry, `replicas of ${brokerName}`);
  return {
    masterBrokerId: num(o.masterBrokerId, `${brokerName} masterBrokerId`, -1),
    masterAddress: typeof o.masterAddress === 'string' ? o.masterAddress : '',
    inSync: decodeReplicas(o.inSyncReplicas, `${brokerName} inSyncReplicas`),
    notInSync: decodeReplicas(o.notInSyncReplicas, `${brokerName} notInSyncReplicas`),
  };
}
