import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { isPodRunning } from '../k8s/readiness.js';
import { statefulSetConditions } from '../k8s/statefulset-conditions.js';
import type { NameServiceStatus } from '../schema/types.js';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import type { Reason } from '../core/reasons.js';
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
  return {
    nameServers: runningNameServerIps(pods),
    addresses: clientAddresses(parent.name, parent.namespace, size, mode),
    replicas: sts?.status?.replicas ?? 0,
    readyReplicas,
    conditions: withTransitionTimes(
      [...statefulSetConditions(size, sts, 'name server'), ...(storageResize ? [storageResize] : [])],
      previous?.conditions,
      now,
    ),
  };
}
