// Copies topic configs and subscription groups from one broker to others, as done when a broker
// cluster grows: new masters start empty and must serve the same topics and groups.
// Idempotent: only items that differ on a target are written, and each target is read back
// until it matches (a second run writes nothing).
import type { RocketMQAdmin } from '../rocketmq/admin.js';
import { subscriptionGroupsEqual, topicConfigsEqual, type StoredFields } from '../rocketmq/topic-config.js';
import type { SubscriptionGroupConfig, TopicConfig } from '../rocketmq/types.js';
import { defaultRetryPolicy, isTransient, withRetry, type RetryPolicy } from './retry.js';
import { isSystemGroup, isSystemTopic } from './system-names.js';

export interface BrokerEndpoint {
  address: string;
  /** Learned from the broker's own config when not given. */
  brokerName?: string;
}

export interface CopyMetadataOptions {
  source: BrokerEndpoint;
  targets: BrokerEndpoint[];
  retry?: RetryPolicy;
  /** Configs per list request (5.x brokers). */
  batchSize?: number;
  /** One request per item instead of list requests. */
  singleRequests?: boolean;
  /** Requests in flight when writing one item per request. */
  concurrency?: number;
  /** More broker and cluster names whose own-name topics must not be copied. */
  clusterAndBrokerNames?: Iterable<string>;
}

export interface ItemCounts {
  /** Written because missing or different on the target. */
  copied: number;
  /** Already equal on the target. */
  unchanged: number;
}

export interface TargetSummary {
  brokerName: string;
  address: string;
  topics: ItemCounts;
  groups: ItemCounts;
  /** Write requests sent. */
  writes: number;
}

export interface CopyMetadataSummary {
  source: { brokerName: string; address: string; topics: number; groups: number };
  /** System topics and groups of the source, never copied. */
  skipped: { topics: number; groups: number };
  targets: TargetSummary[];
  copied: number;
  unchanged: number;
  writes: number;
  durationMs: number;
}

export class CopyMetadataError extends Error {
  constructor(
    message: string,
    /** What was done before the failure (targets that finished). */
    readonly summary?: Partial<CopyMetadataSummary>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CopyMetadataError';
  }
}

interface BrokerIdentity {
  brokerName: string;
  clusterName: string;
  address: string;
  /** Fields the broker keeps: a 4.x target drops topic order flags, attributes and 5.x group fields. */
  stored: StoredFields;
}

function describe(broker: { brokerName?: string; address: string }, role: string): string {
  return broker.brokerName ? `${role} broker ${broker.brokerName} (${broker.address})` : `${role} broker at ${broker.address}`;
}

async function identify(admin: RocketMQAdmin, endpoint: BrokerEndpoint, role: string, retry: RetryPolicy): Promise<BrokerIdentity> {
  try {
    const config = await withRetry(() => admin.brokerConfig(endpoint.address), retry);
    const brokerName = config.brokerName ?? endpoint.brokerName ?? endpoint.address;
    if (endpoint.brokerName && config.brokerName && endpoint.brokerName !== config.brokerName) {
      throw new Error(`${endpoint.address} is broker ${config.brokerName}, not ${endpoint.brokerName}`);
    }
    return {
      brokerName,
      clusterName: config.brokerClusterName ?? '',
      address: endpoint.address,
      stored: await admin.storedFields(endpoint.address),
    };
  } catch (error) {
    throw new CopyMetadataError(`cannot reach ${describe(endpoint, role)}: ${(error as Error).message}`, undefined, { cause: error });
  }
}

export async function copyMetadata(admin: RocketMQAdmin, options: CopyMetadataOptions): Promise<CopyMetadataSummary> {
  const started = Date.now();
  const retry = options.retry ?? defaultRetryPolicy;
  if (options.targets.length === 0) throw new CopyMetadataError('no target broker given');
  const sourceAddress = options.source.address;
  const selfCopy = options.targets.find((t) => t.address === sourceAddress);
  if (selfCopy) throw new CopyMetadataError(`${describe(selfCopy, 'target')} is the source broker`);

  const source = await identify(admin, options.source, 'source', retry);
  let sourceTopics: Map<string, TopicConfig>;
  let sourceGroups: Map<string, SubscriptionGroupConfig>;
  try {
    [sourceTopics, sourceGroups] = await withRetry(
      () => Promise.all([admin.topicConfigs(source.address), admin.subscriptionGroups(source.address)]),
      retry,
    );
  } catch (error) {
    throw new CopyMetadataError(`cannot read metadata of ${describe(source, 'source')}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  const targets = await Promise.all(options.targets.map((t) => identify(admin, t, 'target', retry)));

  const names = new Set<string>(options.clusterAndBrokerNames ?? []);
  for (const broker of [source, ...targets]) {
    names.add(broker.brokerName);
    if (broker.clusterName) names.add(broker.clusterName);
  }
  const topics = [...sourceTopics.values()].filter((t) => !isSystemTopic(t.topicName, names));
  const groups = [...sourceGroups.values()].filter((g) => !isSystemGroup(g.groupName));

  const settled = await Promise.allSettled(targets.map((target) => syncTarget(admin, target, topics, groups, options, retry)));
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const summary: CopyMetadataSummary = {
    source: { brokerName: source.brokerName, address: source.address, topics: sourceTopics.size, groups: sourceGroups.size },
    skipped: { topics: sourceTopics.size - topics.length, groups: sourceGroups.size - groups.length },
    targets: done,
    copied: done.reduce((n, t) => n + t.topics.copied + t.groups.copied, 0),
    unchanged: done.reduce((n, t) => n + t.topics.unchanged + t.groups.unchanged, 0),
    writes: done.reduce((n, t) => n + t.writes, 0),
    durationMs: Date.now() - started,
  };
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (failures.length > 0) {
    throw new CopyMetadataError(failures.map((f) => f.message).join('; '), summary, { cause: failures[0] });
  }
  return summary;
}

/** Writes what differs, then reads the target back; repeats (bounded) until it matches the source. */
async function syncTarget(
  admin: RocketMQAdmin,
  target: BrokerIdentity,
  topics: TopicConfig[],
  groups: SubscriptionGroupConfig[],
  options: CopyMetadataOptions,
  retry: RetryPolicy,
): Promise<TargetSummary> {
  const label = describe(target, 'target');
  const bulk = { batchSize: options.batchSize, singleRequests: options.singleRequests, concurrency: options.concurrency };
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let firstDiff: { topics: number; groups: number } | undefined;
  let writes = 0;
  for (let round = 1; ; round++) {
    let current: [Map<string, TopicConfig>, Map<string, SubscriptionGroupConfig>];
    try {
      current = await withRetry(() => Promise.all([admin.topicConfigs(target.address), admin.subscriptionGroups(target.address)]), retry);
    } catch (error) {
      throw new CopyMetadataError(`cannot read metadata of ${label}: ${(error as Error).message}`, undefined, { cause: error });
    }
    const [targetTopics, targetGroups] = current;
    const topicWrites = topics.filter((t) => {
      const present = targetTopics.get(t.topicName);
      return !present || !topicConfigsEqual(t, present, target.stored);
    });
    const groupWrites = groups.filter((g) => {
      const present = targetGroups.get(g.groupName);
      return !present || !subscriptionGroupsEqual(g, present, target.stored);
    });
    firstDiff ??= { topics: topicWrites.length, groups: groupWrites.length };
    if (topicWrites.length === 0 && groupWrites.length === 0) {
      return {
        brokerName: target.brokerName,
        address: target.address,
        topics: { copied: firstDiff.topics, unchanged: topics.length - firstDiff.topics },
        groups: { copied: firstDiff.groups, unchanged: groups.length - firstDiff.groups },
        writes,
      };
    }
    if (round > retry.attempts) {
      const names = [...topicWrites.map((t) => `topic ${t.topicName}`), ...groupWrites.map((g) => `group ${g.groupName}`)];
      throw new CopyMetadataError(
        `${label} still differs from the source after ${retry.attempts} write rounds: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`,
      );
    }
    try {
      writes += (await admin.createOrUpdateTopics(target.address, topicWrites, targetTopics, bulk)).requests;
      writes += (await admin.createOrUpdateSubscriptionGroups(target.address, groupWrites, bulk)).requests;
    } catch (error) {
      if (!isTransient(error)) {
        throw new CopyMetadataError(`${label} rejected a write: ${(error as Error).message}`, undefined, { cause: error });
      }
      if (round >= retry.attempts) {
        throw new CopyMetadataError(`cannot write to ${label}: ${(error as Error).message} (after ${round} attempts)`, undefined, {
          cause: error,
        });
      }
      await sleep(retry.backoffMs * 2 ** (round - 1));
    }
  }
}
