// A reply that keeps every observed child exactly as it is and reports why in the status: for a
// paused resource, and for a refusal that only shows up once the hook sees other objects (a missing
// NameService, a ConfigMap with a bad setting). Metacontroller writes status only after a 200, so
// this is how such a refusal reaches `kubectl get`, while nothing is created, changed or deleted.
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import { prune } from '../k8s/prune.js';
import { type HookRequest, type KubeObject, type ObjectMeta, type SyncResponse, typeKey } from './metacontroller.js';

export const PAUSED_ANNOTATION = 'rocketmq.apache.org/paused';

/** How long until a held parent is looked at again, in case what it waits for appears unnoticed. */
const HOLD_RESYNC_SECONDS = 30;

export function isPaused(parent: KubeObject): boolean {
  return parent.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
}

/** Where Metacontroller keeps the object it last applied (its default apply strategy). */
const LAST_APPLIED = 'metacontroller.k8s.io/last-applied-configuration';

/** Fields the API server owns: never part of what a hook asks for. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences',
];

/**
 * A child as it was last asked for, so that applying it again writes nothing: the object
 * Metacontroller recorded when it last applied it, or else the observed object less what the API
 * server owns (status and server metadata) and the nulls it prints.
 */
function asLastApplied(child: KubeObject): KubeObject {
  const recorded = child.metadata.annotations?.[LAST_APPLIED];
  if (recorded) {
    try {
      const object = JSON.parse(recorded) as KubeObject;
      if (object?.metadata?.name === child.metadata.name && object.kind === child.kind && object.apiVersion === child.apiVersion)
        return prune(object);
    } catch {
      // Not ours to read: fall back to the observed object.
    }
  }
  const { status: _status, ...rest } = child;
  const metadata = Object.fromEntries(Object.entries(child.metadata).filter(([field]) => !SERVER_METADATA.includes(field))) as ObjectMeta;
  return prune({ ...rest, metadata });
}

/**
 * Every observed child of the parent, as it was last asked for: Metacontroller finds nothing to
 * create, update or delete. Children live in their parent's namespace, under the key of their own
 * type (Metacontroller files each child under its type, one the CompositeController declares);
 * anything else is not ours.
 */
function observedChildren(request: HookRequest): KubeObject[] {
  const namespace = request.parent.metadata.namespace ?? 'default';
  return Object.entries(request.children ?? {})
    .flatMap(([type, byName]) => Object.values(byName ?? {}).filter((child) => typeKey(child.kind, child.apiVersion) === type))
    .filter((child) => (child.metadata.namespace ?? namespace) === namespace)
    .map(asLastApplied);
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
