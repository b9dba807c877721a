import type { V1Deployment } from '@kubernetes/client-node';
import { isDeploymentReady } from '../k8s/readiness.js';
import type { Reason } from '../core/reasons.js';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import type { ConsoleStatus } from '../schema/types.js';

function progressing(deployment: V1Deployment | undefined, wanted: number): Condition<Reason> {
  const type = 'Progressing';
  if (!deployment) return { type, status: 'True', reason: 'Creating', message: 'creating the dashboard Deployment' };
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) {
    return { type, status: 'True', reason: 'Updating', message: 'the Deployment controller has not seen the latest change yet' };
  }
  if ((status.updatedReplicas ?? 0) < wanted || (status.replicas ?? 0) > wanted) {
    return { type, status: 'True', reason: 'RollingUpdate', message: `${status.updatedReplicas ?? 0}/${wanted} dashboard pods updated` };
  }
  return { type, status: 'False', reason: 'UpToDate', message: 'every dashboard pod runs the current spec' };
}

export function consoleStatus(
  deployment: V1Deployment | undefined,
  wanted: number,
  nameServers: string,
  previous: ConsoleStatus | undefined,
  now: Date,
): ConsoleStatus {
  const readyReplicas = deployment?.status?.readyReplicas ?? 0;
  const ready = isDeploymentReady(deployment, wanted);
  const conditions: Condition<Reason>[] = [
    ready
      ? { type: 'Ready', status: 'True', reason: 'AllReplicasReady', message: `${readyReplicas}/${wanted} dashboard pods ready` }
      : { type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message: `${readyReplicas}/${wanted} dashboard pods ready` },
    progressing(deployment, wanted),
  ];
  return {
    replicas: deployment?.status?.replicas ?? 0,
    readyReplicas,
    nameServers,
    conditions: withTransitionTimes(conditions, previous?.conditions, now),
  };
}
