import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { hasPendingRevision, isPodRunning } from '../k8s/readiness.js';
import type { Reason } from '../core/reasons.js';
import type { NameServiceStatus } from '../schema/types.js';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import { clientAddresses, type PodServicesMode } from '../rocketmq-pods/nameservers.js';
import type { NameServiceParent } from './render.js';

/** IPs of running name server pods, sorted, as the original operator reports them. */
export function runningNameServerIps(pods: V1Pod[]): string[] {
  return pods
    .filter(isPodRunning)
    .map((p) => p.status?.podIP)
    .filter((ip): ip is string => typeof ip === 'string' && ip !== '')
    .sort();
}

function rolloutState(size: number, sts: V1StatefulSet | undefined): { reason: Reason; message: string } | undefined {
  if (!sts) return { reason: 'Creating', message: 'creating the name server StatefulSet' };
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

export function nameServiceStatus(
  parent: NameServiceParent,
  mode: PodServicesMode | undefined,
  { statefulSet: sts, pods }: { statefulSet: V1StatefulSet | undefined; pods: V1Pod[] },
  storageResize: Condition<Reason> | undefined,
  previous: Record<string, unknown> | undefined,
  now: Date,
): NameServiceStatus {
  const { size } = parent.spec;
  const readyReplicas = sts?.status?.readyReplicas ?? 0;
  const rollout = rolloutState(size, sts);
  const conditions: Condition<Reason>[] = [
    readyReplicas >= size
      ? { type: 'Ready', status: 'True', reason: 'AllReplicasReady', message: `${readyReplicas}/${size} name servers ready` }
      : { type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message: `${readyReplicas}/${size} name servers ready` },
    rollout
      ? { type: 'Progressing', status: 'True', ...rollout }
      : { type: 'Progressing', status: 'False', reason: 'UpToDate', message: 'all pods run the current spec' },
    ...(storageResize ? [storageResize] : []),
  ];
  return {
    nameServers: runningNameServerIps(pods),
    addresses: clientAddresses(parent.name, parent.namespace, size, mode),
    replicas: sts?.status?.replicas ?? 0,
    readyReplicas,
    conditions: withTransitionTimes(conditions, previous?.conditions, now),
  };
}
