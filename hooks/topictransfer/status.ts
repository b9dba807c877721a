import type { KubeObject } from '../core/metacontroller.js';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import type { TransferState } from './state.js';

interface JobView {
  metadata: { name: string };
  status?: { failed?: number; conditions?: { type: string; status: string; message?: string }[] };
}

/** A Job that gave up (its backoff limit is spent): the runner cannot record that itself. */
export function jobGaveUp(job: KubeObject | undefined): string | undefined {
  const failed = (job as JobView | undefined)?.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return undefined;
  return `the runner Job ${job!.metadata.name} failed ${(job as JobView).status?.failed ?? 0} times and stopped: ${failed.message ?? 'see kubectl logs job/' + job!.metadata.name}`;
}

function conditionsFor(phase: string, message: string): Condition[] {
  const ready: Condition =
    phase === 'Succeeded'
      ? { type: 'Ready', status: 'True', reason: 'Transferred', message }
      : { type: 'Ready', status: 'False', reason: phase === 'RolledBack' ? 'RolledBack' : phase === 'Failed' ? 'Failed' : 'InProgress', message };
  const moving = ['Pending', 'Running', 'RollingBack'].includes(phase);
  const progressing: Condition = moving
    ? { type: 'Progressing', status: 'True', reason: phase, message }
    : { type: 'Progressing', status: 'False', reason: 'Finished', message };
  const degraded: Condition = ['Failed', 'RolledBack'].includes(phase)
    ? { type: 'Degraded', status: 'True', reason: phase, message }
    : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no failure' };
  return [ready, progressing, degraded];
}

/** Status as the runner recorded it, or Pending before it starts; Failed when its Job gave up. */
export function transferStatus(
  state: TransferState | undefined,
  runnerJob: KubeObject | undefined,
  previous: Record<string, unknown> | undefined,
  now: Date,
): Record<string, unknown> {
  const gaveUp = state && ['Succeeded', 'RolledBack'].includes(state.phase) ? undefined : jobGaveUp(runnerJob);
  const phase = gaveUp ? 'Failed' : (state?.phase ?? 'Pending');
  const message = gaveUp ?? state?.message ?? 'waiting for the transfer Job to start';
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
