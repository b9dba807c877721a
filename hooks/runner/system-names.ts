// Topics and groups a broker makes for itself. Copying them would be wrong (a broker's own-name
// topic on another broker) or refused (the broker rejects system topic names), so the metadata
// copy leaves them out. Names follow RocketMQ's TopicValidator and MixAll.

const SYSTEM_TOPICS = new Set([
  'TBW102', // template for auto-created topics
  'SCHEDULE_TOPIC_XXXX',
  'BenchmarkTest',
  'RMQ_SYS_TRANS_HALF_TOPIC',
  'RMQ_SYS_TRACE_TOPIC',
  'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  'TRANS_CHECK_MAX_TIME_TOPIC',
  'SELF_TEST_TOPIC',
  'OFFSET_MOVED_EVENT',
  'CHECKPOINT_TOPIC',
]);
const SYSTEM_TOPIC_PREFIX = 'rmq_sys_';

const SYSTEM_GROUPS = new Set([
  'DEFAULT_CONSUMER',
  'TOOLS_CONSUMER',
  'SCHEDULE_CONSUMER',
  'FILTERSRV_CONSUMER',
  '__MONITOR_CONSUMER',
  'SELF_TEST_C_GROUP',
  'CID_ONS-HTTP-PROXY',
  'CID_ONSAPI_PERMISSION',
  'CID_ONSAPI_OWNER',
  'CID_ONSAPI_PULL',
]);
const SYSTEM_GROUP_PREFIX = 'CID_RMQ_SYS_';

const RETRY_PREFIX = '%RETRY%';
const DLQ_PREFIX = '%DLQ%';

export function isSystemGroup(group: string): boolean {
  return SYSTEM_GROUPS.has(group) || group.startsWith(SYSTEM_GROUP_PREFIX);
}

/**
 * `clusterAndBrokerNames`: every broker and cluster name involved. Each broker holds a topic named
 * after itself and one after its cluster (plus `<cluster>_REPLY_TOPIC`), registered as system topics.
 * Retry and dead-letter topics of ordinary groups are user data and are copied; those of system
 * groups are not.
 */
export function isSystemTopic(topic: string, clusterAndBrokerNames: ReadonlySet<string>): boolean {
  if (SYSTEM_TOPICS.has(topic) || topic.startsWith(SYSTEM_TOPIC_PREFIX)) return true;
  if (clusterAndBrokerNames.has(topic)) return true;
  if (topic.endsWith('_REPLY_TOPIC') && clusterAndBrokerNames.has(topic.slice(0, -'_REPLY_TOPIC'.length))) return true;
  for (const prefix of [RETRY_PREFIX, DLQ_PREFIX]) {
    if (topic.startsWith(prefix) && isSystemGroup(topic.slice(prefix.length))) return true;
  }
  return false;
}
