// The progress record a transfer Job keeps on its TopicTransfer (an annotation, written with
// compare-and-swap), read back by the hooks to project status. Metacontroller owns .status and
// rewrites it on every sync, so the runner writes its own record where nobody else does.
import type { SubscriptionGroupConfig, TopicConfig } from '../rocketmq/types.js';

export const TRANSFER_STATE_ANNOTATION = 'rocketmq.apache.org/transfer-state';

export const TRANSFER_STEPS = [
  'create the consumer groups on the target',
  'create the topic on the target',
  'stop writes on the source',
  'wait until the source is fully consumed',
  'delete the topic on the source',
  'delete the consumer groups on the source',
  'create the retry topics on the target',
] as const;

export type TransferPhase = 'Pending' | 'Running' | 'Succeeded' | 'RollingBack' | 'RolledBack' | 'Failed';

export interface StepRecord {
  step: number;
  name: string;
  phase: 'Running' | 'Succeeded' | 'Failed' | 'RolledBack';
  startTime?: string;
  endTime?: string;
  message?: string;
}

/** A broker group by name; its master's address is looked up on the name servers at each run. */
export interface TransferBroker {
  brokerName: string;
  clusterName: string;
}

/** Everything rollback needs, saved before step 1. Records are keyed by broker name, then topic or group. */
export interface TransferSaved {
  savedAt: string;
  /** Source masters holding the topic. */
  sourceBrokers: TransferBroker[];
  targetBrokers: TransferBroker[];
  /** Consumer groups of the topic on the source. */
  groups: string[];
  /** The topic's full config on each source broker. */
  sourceTopic: Record<string, TopicConfig>;
  /** Each group's full config on each source broker that has one. */
  sourceGroups: Record<string, Record<string, SubscriptionGroupConfig>>;
  /** Each group's retry topic config on the first source broker that has one (template for step 7). */
  sourceRetryTopics: Record<string, TopicConfig>;
  /** What already existed on each target broker; rollback removes only the rest. */
  targetBefore: Record<string, { topic: boolean; groups: string[]; retryTopics: string[] }>;
}

export interface RollbackRecord {
  reason: string;
  /** The last step started when the rollback began: it and every step before it are undone. */
  fromStep: number;
  startTime: string;
  endTime?: string;
  /** When the wait for the target to drain began, so a resumed rollback keeps the clock. */
  drainStartTime?: string;
  /** What this rollback restored or removed. */
  undone: string[];
  /** What it left in place, and why. */
  kept: string[];
  /** Removals the transfer left unfinished: their routes are made whole again before anything else leaves. */
  unfinishedRemovals?: Record<string, TopicRemoval>;
  /** Why the last attempt stopped short (phase Failed); a later run retries. */
  error?: string;
}

export interface TransferState {
  phase: TransferPhase;
  /** The step in progress, or the last one reached; 0 before step 1. */
  step: number;
  message?: string;
  steps: StepRecord[];
  saved?: TransferSaved;
  rollback?: RollbackRecord;
  /** Bumped by every write, so a runner can tell its own record from one another runner wrote. */
  revision?: number;
  /** Topic removals started and not finished, by topic, so a resumed run finishes them exactly. */
  removals?: Record<string, TopicRemoval>;
}

/** Taking a topic off some brokers and out of their clusters' routes (remoting §2.8). */
export interface TopicRemoval {
  from: TransferBroker[];
  /**
   * The topic's config on the other brokers of those clusters, which lose their route with them and
   * register it again; saved before anything changes.
   */
  keep: Record<string, TopicConfig>;
}

export function readTransferState(annotations: Record<string, string> | undefined): TransferState | undefined {
  const text = annotations?.[TRANSFER_STATE_ANNOTATION];
  if (!text) return undefined;
  try {
    const state = JSON.parse(text) as TransferState;
    return typeof state.phase === 'string' && Array.isArray(state.steps) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Whether RocketMQ may hold changes this transfer made that a rollback would undo. */
export function mayNeedRollback(state: TransferState | undefined): boolean {
  if (!state) return false;
  if (state.phase === 'Succeeded' || state.phase === 'RolledBack') return false;
  return state.steps.length > 0 || state.phase === 'RollingBack';
}
