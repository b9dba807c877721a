import type { V1Deployment } from '@kubernetes/client-node';
import { withTransitionTimes } from '../k8s/conditions.js';
import { deploymentConditions } from '../k8s/deployment-status.js';
import type { ProxyStatus } from '../schema/types.js';
import { proxyEndpoints } from './names.js';

export interface ProxyStatusInput {
  name: string;
  namespace: string;
  size: number;
  nameServers: string;
  clusterName: string;
}

/** What the observed Deployment reports, with where clients connect. */
export function proxyStatus(
  { name, namespace, size, nameServers, clusterName }: ProxyStatusInput,
  deployment: V1Deployment | undefined,
  previous: ProxyStatus | undefined,
  now: Date,
): ProxyStatus {
  return {
    replicas: deployment?.status?.replicas ?? 0,
    readyReplicas: deployment?.status?.readyReplicas ?? 0,
    nameServers,
    clusterName,
    endpoints: proxyEndpoints(name, namespace),
    conditions: withTransitionTimes(deploymentConditions(deployment, size, 'proxy'), previous?.conditions, now),
  };
}
