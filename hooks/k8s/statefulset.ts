import type { KubeObject } from '../core/metacontroller.js';

/**
 * StatefulSet fields the API server refuses to change. Keeping the observed values (for example of a
 * StatefulSet the original operator created) avoids a rejected update on every sync.
 */
const IMMUTABLE_SPEC_FIELDS = ['selector', 'serviceName', 'volumeClaimTemplates', 'podManagementPolicy'] as const;

export function keepImmutableFields<T extends KubeObject>(desired: T, observed: KubeObject | undefined): T {
  if (!observed) return desired;
  const desiredSpec = { ...(desired.spec as Record<string, unknown>) };
  const observedSpec = (observed.spec ?? {}) as Record<string, unknown>;
  for (const field of IMMUTABLE_SPEC_FIELDS) {
    if (observedSpec[field] === undefined) delete desiredSpec[field];
    else desiredSpec[field] = stripClaimStatus(field, observedSpec[field]);
  }
  return { ...desired, spec: desiredSpec };
}

/** Observed claim templates carry a server-written status that must not be sent back. */
function stripClaimStatus(field: string, value: unknown): unknown {
  if (field !== 'volumeClaimTemplates' || !Array.isArray(value)) return value;
  return value.map(({ status: _status, ...template }: Record<string, unknown>) => template);
}
