// The one place that decides, from what the API server reports, whether a workload is ready, still
// moving to its latest spec, or finished: every kind's status and rollout read these.
import type { V1Deployment, V1Job, V1Pod, V1StatefulSet } from '@kubernetes/client-node';

/** Enough ready pods for the replicas asked for (one when unset, as the API server defaults it). */
export function isStatefulSetReady(statefulSet: V1StatefulSet | undefined): boolean {
  return statefulSet !== undefined && (statefulSet.status?.readyReplicas ?? 0) >= (statefulSet.spec?.replicas ?? 1);
}

/** The controller has not seen the latest spec, or still replaces pods with a newer template. */
export function isStatefulSetUpdating(statefulSet: V1StatefulSet | undefined): boolean {
  if (!statefulSet) return false;
  const status = statefulSet.status;
  return (
    (status?.observedGeneration ?? 0) < (statefulSet.metadata?.generation ?? 0) ||
    (status?.updatedReplicas ?? 0) < (statefulSet.spec?.replicas ?? 1) ||
    hasPendingRevision(statefulSet)
  );
}

/** Its pods are still being moved to a new revision. */
export function hasPendingRevision(statefulSet: V1StatefulSet | undefined): boolean {
  const status = statefulSet?.status;
  return status?.updateRevision !== undefined && status.currentRevision !== status.updateRevision;
}

/** Exists, runs its current template and every pod is Ready. */
export function isStatefulSetSettled(statefulSet: V1StatefulSet | undefined): boolean {
  return isStatefulSetReady(statefulSet) && !isStatefulSetUpdating(statefulSet);
}

export function isDeploymentReady(deployment: V1Deployment | undefined, wanted: number): boolean {
  return deployment !== undefined && (deployment.status?.readyReplicas ?? 0) >= wanted;
}

export function isPodRunning(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running';
}

export type JobOutcome =
  | { state: 'Running' }
  | { state: 'Succeeded' }
  /** `since` is when the Job failed, in ms since the epoch (0 when the API server did not say). */
  | { state: 'Failed'; message: string; since: number };

/** How a Job ended, from its status, or Running while it has not. */
export function jobOutcome(job: V1Job | undefined): JobOutcome {
  if ((job?.status?.succeeded ?? 0) > 0) return { state: 'Succeeded' };
  const failed = job?.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return { state: 'Running' };
  const since = failed.lastTransitionTime === undefined ? 0 : Date.parse(String(failed.lastTransitionTime));
  return { state: 'Failed', message: failed.message ?? 'the Job failed', since: Number.isNaN(since) ? 0 : since };
}

/** The kubelet reports the pod Ready (its readiness probe passes). */
export function isPodReady(pod: V1Pod | undefined): boolean {
  return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
