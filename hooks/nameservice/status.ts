import type { KubeObject } from '../metacontroller.js';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import { nameServerAddresses, type NameServiceParent } from './render.js';

interface PodView {
  status?: { phase?: string; podIP?: string };
}

interface StatefulSetView {
  metadata: { generation?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** IPs of running name server pods, sorted, as the original operator reports them. */
export function runningNameServerIps(pods: PodView[]): string[] {
  return pods
    .filter((p) => p.status?.phase === 'Running' && p.status.podIP)
    .map((p) => p.status!.podIP!)
    .sort();
}

function rolloutState(size: number, sts: StatefulSetView | undefined): { reason: string; message: string } | undefined {
  if (!sts) return { reason: 'Creating', message: 'creating the name server StatefulSet' };
  const s = sts.status ?? {};
  if ((s.observedGeneration ?? 0) < (sts.metadata.generation ?? 0)) {
    return { reason: 'Updating', message: 'the StatefulSet controller has not seen the latest change yet' };
  }
  if ((s.replicas ?? 0) !== size) return { reason: 'Scaling', message: `scaling from ${s.replicas ?? 0} to ${size} pods` };
  if (s.updateRevision && s.currentRevision !== s.updateRevision) {
    return { reason: 'RollingUpdate', message: `${s.updatedReplicas ?? 0}/${size} pods updated` };
  }
  return undefined;
}

export function nameServiceStatus(
  parent: NameServiceParent,
  statefulSet: KubeObject | undefined,
  pods: KubeObject[],
  previous: Record<string, unknown> | undefined,
  now: Date,
): Record<string, unknown> {
  const { size } = parent.spec;
  const sts = statefulSet as StatefulSetView | undefined;
  const readyReplicas = sts?.status?.readyReplicas ?? 0;
  const rollout = rolloutState(size, sts);
  const conditions: Condition[] = [
    readyReplicas >= size
      ? { type: 'Ready', status: 'True', reason: 'AllReplicasReady', message: `${readyReplicas}/${size} name servers ready` }
      : { type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message: `${readyReplicas}/${size} name servers ready` },
    rollout
      ? { type: 'Progressing', status: 'True', ...rollout }
      : { type: 'Progressing', status: 'False', reason: 'UpToDate', message: 'all pods run the current spec' },
  ];
  return {
    nameServers: runningNameServerIps(pods as PodView[]),
    addresses: nameServerAddresses(parent.name, parent.namespace, size),
    replicas: sts?.status?.replicas ?? 0,
    readyReplicas,
    conditions: withTransitionTimes(conditions, previous?.conditions, now),
  };
}
