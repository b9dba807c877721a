// Ready and Progressing conditions of a kind that runs one StatefulSet of interchangeable pods.
import type { V1StatefulSet } from '@kubernetes/client-node';
import type { Reason } from '../core/reasons.js';
import type { Condition } from './conditions.js';
import { hasPendingRevision } from './readiness.js';

function rolloutState(size: number, sts: V1StatefulSet | undefined, noun: string): { reason: Reason; message: string } | undefined {
  if (!sts) return { reason: 'Creating', message: `creating the ${noun} StatefulSet` };
  const s = sts.status ?? { replicas: 0 };
  if ((s.observedGeneration ?? 0) < (sts.metadata?.generation ?? 0)) {
    return { reason: 'Updating', message: 'the StatefulSet controller has not seen the latest change yet' };
  }
  if ((s.replicas ?? 0) !== size) return { reason: 'Scaling', message: `scaling from ${s.replicas ?? 0} to ${size} pods` };
  if (hasPendingRevision(sts)) {
    return { reason: 'RollingUpdate', message: `${s.updatedReplicas ?? 0}/${size} pods updated` };
  }
  return undefined;
}

/** `noun` names one pod's server for people ("name server"); conditions say "<ready>/<size> <noun>s ready". */
export function statefulSetConditions(size: number, sts: V1StatefulSet | undefined, noun: string): Condition<Reason>[] {
  const readyReplicas = sts?.status?.readyReplicas ?? 0;
  const rollout = rolloutState(size, sts, noun);
  const message = `${readyReplicas}/${size} ${noun}s ready`;
  return [
    readyReplicas >= size
      ? { type: 'Ready', status: 'True', reason: 'AllReplicasReady', message }
      : { type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message },
    rollout
      ? { type: 'Progressing', status: 'True', ...rollout }
      : { type: 'Progressing', status: 'False', reason: 'UpToDate', message: 'all pods run the current spec' },
  ];
}
