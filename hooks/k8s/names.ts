import { InvalidSpecError } from '../core/errors.js';

/** Service names are DNS-1035 labels: they start with a letter. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Pod hostnames and label values derive from child names, so every child name is kept a DNS-1123 label. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * StatefulSet names leave room for the controller-revision-hash label (`<name>-<10 chars>`) that
 * pods carry, whose value is limited to 63 characters.
 */
export const MAX_STATEFULSET_NAME = 52;

export type NamedKind =
  'Service' | 'StatefulSet' | 'Deployment' | 'ConfigMap' | 'Job' | 'PodDisruptionBudget' | 'ServiceAccount' | 'Role' | 'RoleBinding';

const MAX_LENGTH: Partial<Record<NamedKind, number>> = {
  StatefulSet: MAX_STATEFULSET_NAME,
  Service: 63,
  Deployment: 63,
  Job: 63,
  PodDisruptionBudget: 63,
  ConfigMap: 63,
};

/**
 * Rejects (422) a parent whose name would give a child an invalid name, before anything is rendered.
 */
export function checkChildName(parentKind: string, parentName: string, kind: NamedKind, childName: string): void {
  const max = MAX_LENGTH[kind] ?? 253;
  if (childName.length > max) {
    throw new InvalidSpecError(parentKind, parentName, [
      `metadata.name: ${parentKind} "${parentName}" is too long: its ${kind} "${childName}" would exceed ${max} characters; use a shorter name`,
    ]);
  }
  if (!DNS_1123_LABEL.test(childName)) {
    throw new InvalidSpecError(parentKind, parentName, [
      `metadata.name: ${parentKind} "${parentName}" gives the ${kind} "${childName}", which may hold only a-z, 0-9 and '-' (no dots); rename it`,
    ]);
  }
  if (kind === 'Service' && !DNS_1035_LABEL.test(childName)) {
    throw new InvalidSpecError(parentKind, parentName, [
      `metadata.name: ${parentKind} "${parentName}" gives the Service "${childName}", which must start with a letter and hold only a-z, 0-9 and '-'; rename it`,
    ]);
  }
}
