// A reply that keeps every observed child exactly as it is and reports why in the status: for a
// paused resource, and for a refusal that only shows up once the hook sees other objects (a missing
// NameService, a ConfigMap with a bad setting). Metacontroller writes status only after a 200, so
// this is how such a refusal reaches `kubectl get`, while nothing is created, changed or deleted.
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import { prune } from '../k8s/prune.js';
import type { HookRequest, KubeObject, SyncResponse } from './metacontroller.js';

export const PAUSED_ANNOTATION = 'rocketmq.apache.org/paused';

/** How long until a held parent is looked at again, in case what it waits for appears unnoticed. */
const HOLD_RESYNC_SECONDS = 30;

export function isPaused(parent: KubeObject): boolean {
  return parent.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
}

/**
 * Every observed child, as observed (less the nulls the API server prints, which it does not
 * store): Metacontroller finds nothing to create, update or delete.
 */
function observedChildren(request: HookRequest): KubeObject[] {
  return Object.values(request.children ?? {}).flatMap((byName) => Object.values(byName ?? {}).map(prune));
}

/**
 * The previous status with `condition` replacing the condition of its type; the rest of the status
 * still describes the children, which are unchanged.
 */
export function holdChildren(request: HookRequest, condition: Condition, now: Date): SyncResponse {
  const previous = (request.parent.status ?? {}) as Record<string, unknown>;
  const conditions = Array.isArray(previous.conditions) ? (previous.conditions as Condition[]) : [];
  const others = conditions.filter((c) => c.type !== condition.type);
  return {
    status: { ...previous, conditions: withTransitionTimes([condition, ...others], conditions, now) },
    children: observedChildren(request),
    resyncAfterSeconds: HOLD_RESYNC_SECONDS,
  };
}
