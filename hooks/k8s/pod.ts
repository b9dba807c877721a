import type { V1PodSecurityContext, V1SecurityContext, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { ImageFlavor } from '../rocketmq-pods/image.js';

/**
 * The scheduling and identity fields NameService, Broker and Proxy pass to their pods unchanged. The
 * API server fills in no defaults inside any of them (a topology spread constraint keeps its
 * policies unset), so they are rendered as the user gives them.
 */
export interface PodPassThrough {
  serviceAccountName?: string;
  affinity?: unknown;
  tolerations?: unknown[];
  nodeSelector?: Record<string, string>;
  priorityClassName?: string;
  imagePullSecrets?: unknown[];
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
}

export function passThroughPodFields(spec: PodPassThrough): PodPassThrough {
  const { serviceAccountName, affinity, tolerations, nodeSelector, priorityClassName, imagePullSecrets, topologySpreadConstraints } = spec;
  return { serviceAccountName, affinity, tolerations, nodeSelector, priorityClassName, imagePullSecrets, topologySpreadConstraints };
}

export const ROCKETMQ_UID = 3000;

/** Least privilege that still lets the image write its data: the user's own context replaces it. */
export function defaultPodSecurityContext(flavor: ImageFlavor): V1PodSecurityContext {
  const seccompProfile = { type: 'RuntimeDefault' };
  if (flavor.runsAsRoot) return { fsGroup: ROCKETMQ_UID, seccompProfile };
  return { runAsNonRoot: true, runAsUser: ROCKETMQ_UID, runAsGroup: ROCKETMQ_UID, fsGroup: ROCKETMQ_UID, seccompProfile };
}

export const DEFAULT_CONTAINER_SECURITY_CONTEXT: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

export function tcpProbe(port: number, initialDelaySeconds: number, failureThreshold: number) {
  return { tcpSocket: { port }, initialDelaySeconds, periodSeconds: 10, timeoutSeconds: 3, failureThreshold };
}
