// The progress record a transfer Job keeps on its TopicTransfer (an annotation, written with
// compare-and-swap), read back by the hooks to project status. Metacontroller owns .status and
// rewrites it on every sync, so the runner writes its own record where nobody else does.

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

export interface TransferState {
  phase: TransferPhase;
  /** The step in progress, or the last one reached; 0 before step 1. */
  step: number;
  message?: string;
  steps: StepRecord[];
  /** Everything rollback needs, saved before step 1: original configs and what already existed. */
  saved?: Record<string, unknown>;
  rollback?: Record<string, unknown>;
}

/** Phases after which nothing in RocketMQ changes any more. */
export const FINISHED_PHASES: readonly TransferPhase[] = ['Succeeded', 'RolledBack', 'Failed'];

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
