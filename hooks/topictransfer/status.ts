import type { V1Job } from '@kubernetes/client-node';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import type { TransferPhase, TransferState } from './state.js';

/** Every reason a TopicTransfer condition gives. */
export const TopicTransferReason = {
  /** Ready: the topic moved. */
  Transferred: 'Transferred',
  /** Not Ready yet: the transfer or its rollback goes on. */
  InProgress: 'InProgress',
  /** Progressing, by phase. */
  Pending: 'Pending',
  Running: 'Running',
  RollingBack: 'RollingBack',
  /** Not Ready and Degraded: the transfer was rolled back. */
  RolledBack: 'RolledBack',
  /** Not Ready and Degraded: the rollback, or the runner Job, could not finish. */
  Failed: 'Failed',
  /** No longer progressing. */
  Finished: 'Finished',
  /** Not Degraded. */
  AsExpected: 'AsExpected',
} as const;

export type TopicTransferReason = (typeof TopicTransferReason)[keyof typeof TopicTransferReason];

const R = TopicTransferReason;

/** How a Job ended, once it will start no more pods; undefined while it may still run one. */
function jobEnd(job: V1Job | undefined): { failed: boolean; how: string } | undefined {
  const condition = (...types: string[]) => job?.status?.conditions?.find((c) => types.includes(c.type) && c.status === 'True');
  // FailureTarget and SuccessCriteriaMet come first on Kubernetes 1.31+, while the last pods stop.
  const failed = condition('Failed', 'FailureTarget');
  if (failed) {
    const why = failed.message ?? failed.reason ?? 'no reason given';
    return { failed: true, how: `failed ${job?.status?.failed ?? 0} times and stopped: ${why}` };
  }
  if (condition('Complete', 'SuccessCriteriaMet') || (job?.status?.succeeded ?? 0) > 0) return { failed: false, how: 'completed' };
  return undefined;
}

/**
 * What the runner Job says that the runner cannot record itself: that it gave up, or that it ended
 * without ever writing a record (it could not read or write the TopicTransfer, or it was killed first).
 */
function jobFailure(state: TransferState | undefined, job: V1Job | undefined): string | undefined {
  if (state?.phase === 'Succeeded' || state?.phase === 'RolledBack') return undefined;
  const end = jobEnd(job);
  if (!end || (state && !end.failed)) return undefined;
  const name = job!.metadata!.name!;
  return `the runner Job ${name} ${end.how}${state ? '' : ' without recording any progress'}; see kubectl logs job/${name}`;
}

function conditionsFor(phase: TransferPhase, message: string): Condition<TopicTransferReason>[] {
  const ready: Condition<TopicTransferReason> =
    phase === 'Succeeded'
      ? { type: 'Ready', status: 'True', reason: R.Transferred, message }
      : { type: 'Ready', status: 'False', reason: phase === 'RolledBack' || phase === 'Failed' ? R[phase] : R.InProgress, message };
  const progressing: Condition<TopicTransferReason> =
    phase === 'Pending' || phase === 'Running' || phase === 'RollingBack'
      ? { type: 'Progressing', status: 'True', reason: R[phase], message }
      : { type: 'Progressing', status: 'False', reason: R.Finished, message };
  const degraded: Condition<TopicTransferReason> =
    phase === 'Failed' || phase === 'RolledBack'
      ? { type: 'Degraded', status: 'True', reason: R[phase], message }
      : { type: 'Degraded', status: 'False', reason: R.AsExpected, message: 'no failure' };
  return [ready, progressing, degraded];
}

/** Status as the runner recorded it, Pending before it starts, Failed when its Job ended without finishing. */
export function transferStatus(
  state: TransferState | undefined,
  runnerJob: V1Job | undefined,
  previous: Record<string, unknown> | undefined,
  now: Date,
): Record<string, unknown> {
  const failure = jobFailure(state, runnerJob);
  const phase = failure ? 'Failed' : (state?.phase ?? 'Pending');
  const message = failure ?? state?.message ?? 'waiting for the transfer Job to start';
  return {
    phase,
    step: state?.step ?? 0,
    message,
    steps: state?.steps,
    saved: state?.saved,
    rollback: state?.rollback,
    conditions: withTransitionTimes(conditionsFor(phase, message), previous?.conditions, now),
  };
}
