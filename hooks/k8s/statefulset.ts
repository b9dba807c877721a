import type { KubeObject } from '../core/metacontroller.js';
import { prune } from './prune.js';

/**
 * StatefulSet fields the API server refuses to change. Keeping the observed values (for example of a
 * StatefulSet the original operator created) avoids a rejected update on every sync. They are kept
 * exactly as stored, claim templates with the status the API server gives them included: an object
 * sent back with less would differ from the stored one and be written again on every sync.
 */
const IMMUTABLE_SPEC_FIELDS = ['selector', 'serviceName', 'volumeClaimTemplates', 'podManagementPolicy'] as const;

export function keepImmutableFields<T extends KubeObject>(desired: T, observed: KubeObject | undefined): T {
  if (!observed) return desired;
  const desiredSpec = { ...(desired.spec as Record<string, unknown>) };
  const observedSpec = (observed.spec ?? {}) as Record<string, unknown>;
  for (const field of IMMUTABLE_SPEC_FIELDS) {
    const kept = prune(observedSpec[field]);
    if (kept === undefined || kept === null) delete desiredSpec[field];
    else desiredSpec[field] = kept;
  }
  return { ...desired, spec: desiredSpec };
}
