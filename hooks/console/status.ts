import type { V1Deployment } from '@kubernetes/client-node';
import { withTransitionTimes } from '../k8s/conditions.js';
import { deploymentConditions } from '../k8s/deployment-status.js';
import type { ConsoleStatus } from '../schema/types.js';

export function consoleStatus(
  deployment: V1Deployment | undefined,
  wanted: number,
  nameServers: string,
  previous: ConsoleStatus | undefined,
  now: Date,
): ConsoleStatus {
  return {
    replicas: deployment?.status?.replicas ?? 0,
    readyReplicas: deployment?.status?.readyReplicas ?? 0,
    nameServers,
    conditions: withTransitionTimes(deploymentConditions(deployment, wanted, 'dashboard'), previous?.conditions, now),
  };
}
