// The Ready and Progressing conditions of a kind whose pods are one Deployment (Console, Proxy).
import type { V1Deployment } from '@kubernetes/client-node';
import type { Reason } from '../core/reasons.js';
import type { Condition } from './conditions.js';
import { isDeploymentReady } from './readiness.js';

function progressing(deployment: V1Deployment | undefined, wanted: number, pods: string): Condition<Reason> {
  const type = 'Progressing';
  if (!deployment) return { type, status: 'True', reason: 'Creating', message: `creating the ${pods} Deployment` };
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) {
    return { type, status: 'True', reason: 'Updating', message: 'the Deployment controller has not seen the latest change yet' };
  }
  if ((status.updatedReplicas ?? 0) < wanted || (status.replicas ?? 0) > wanted) {
    return { type, status: 'True', reason: 'RollingUpdate', message: `${status.updatedReplicas ?? 0}/${wanted} ${pods} pods updated` };
  }
  return { type, status: 'False', reason: 'UpToDate', message: `every ${pods} pod runs the current spec` };
}

/** `pods` names the pods in messages ("dashboard", "proxy"). */
export function deploymentConditions(deployment: V1Deployment | undefined, wanted: number, pods: string): Condition<Reason>[] {
  const readyReplicas = deployment?.status?.readyReplicas ?? 0;
  const message = `${readyReplicas}/${wanted} ${pods} pods ready`;
  return [
    isDeploymentReady(deployment, wanted)
      ? { type: 'Ready', status: 'True', reason: 'AllReplicasReady', message }
      : { type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message },
    progressing(deployment, wanted, pods),
  ];
}
