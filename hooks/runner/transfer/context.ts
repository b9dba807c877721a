// What a step or the rollback works with, and the settings copied from the source.
import { Perm } from '../../rocketmq/codes.js';
import type { ClusterInfo, SubscriptionGroupConfig, TopicConfig } from '../../rocketmq/types.js';
import type { StepRecord, TransferSaved } from '../../topictransfer/state.js';
import type { TransferAdmin } from './admin.js';
import type { LiveBroker } from './brokers.js';
import { retryTopicOf } from './plan.js';
import type { RemovalLog } from './route.js';

export interface TransferTiming {
  /** Between two reads of the consumers' progress. */
  pollIntervalMs: number;
  /**
   * How long clients may keep acting on a route they read before it changed: producers and consumers
   * refresh routes every 30 s by default and consumers rebalance every 20 s. Until then producers may
   * still send where writes stopped (refused, or with auto-create on, creating a deleted topic again)
   * and consumers may still pull a deleted topic at their old offsets (which would skip the first
   * messages of a topic created again). So a topic is deleted, or created again after a deletion,
   * only this long after the change that sends clients elsewhere.
   */
  clientRefreshMs: number;
  /** Tries of a step (or of the rollback) before giving up on it. */
  attempts: number;
  retryDelayMs: number;
  /** How often a wait records its progress in the transfer record. */
  progressEveryMs: number;
}

export const DEFAULT_TIMING: TransferTiming = {
  pollIntervalMs: 2000,
  clientRefreshMs: 60_000,
  attempts: 3,
  retryDelayMs: 2000,
  progressEveryMs: 15_000,
};

export interface RunContext {
  admin: TransferAdmin;
  topic: string;
  saved: TransferSaved;
  /** Cluster info read for this attempt, and the saved brokers' masters in it. */
  info: ClusterInfo;
  source: LiveBroker[];
  target: LiveBroker[];
  removals: RemovalLog;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  timing: TransferTiming;
  consumeTimeoutMs: number;
  /** The step records as persisted (start and end times survive a restart). */
  steps: readonly StepRecord[];
  /** Records news for people in the transfer record. */
  note(message: string): Promise<void>;
}

/** The source's settings for a group: from the first source broker that has the group. */
export function groupTemplate(saved: TransferSaved, group: string): SubscriptionGroupConfig | undefined {
  return saved.sourceBrokers.map((b) => saved.sourceGroups[b.brokerName]?.[group]).find((c) => c !== undefined);
}

/** The source's topic config (of its first broker) that the target gets. */
export function topicTemplate(saved: TransferSaved): TopicConfig {
  return saved.sourceTopic[saved.sourceBrokers[0].brokerName];
}

/** The source's retry topic of the group, else what a broker creates for one (remoting §2.5 retryQueueNums). */
export function retryTopicTemplate(saved: TransferSaved, group: string): TopicConfig {
  const queues = groupTemplate(saved, group)?.retryQueueNums ?? 1;
  return (
    saved.sourceRetryTopics[group] ?? {
      topicName: retryTopicOf(group),
      readQueueNums: queues,
      writeQueueNums: queues,
      perm: Perm.READ | Perm.WRITE,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
      attributes: {},
    }
  );
}
