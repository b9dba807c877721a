// A StatefulSet's claim templates cannot change once it exists, so a larger storage request in the
// spec reaches the existing claims only when each claim is grown. The claims belong to the
// StatefulSet controller, not to the operator: the status names those still smaller and the command
// that grows them, and stops once every claim asks for the spec's size. A smaller request is
// refused, since a volume never shrinks.
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
import { InvalidSpecError } from '../core/errors.js';
import type { KubeObject, RelatedResourceRule } from '../core/metacontroller.js';
import type { Reason } from '../core/reasons.js';
import type { Condition } from './conditions.js';
import { compareQuantities } from './quantity.js';

/** One StatefulSet whose pods get claims from the templates. */
export interface ClaimingStatefulSet {
  name: string;
  /** Pods it will have: claims are `<template>-<name>-<ordinal>`. */
  replicas: number;
  observed: KubeObject | undefined;
}

export interface ClaimSizes {
  kind: string;
  parentName: string;
  namespace: string;
  /** The claim templates the spec asks for, in spec.volumeClaimTemplates order, named as rendered. */
  templates: V1PersistentVolumeClaim[];
  statefulSets: ClaimingStatefulSet[];
  /** The observed claims of the parent's pods. */
  claims: V1PersistentVolumeClaim[];
}

/** Claims of one template that ask for less than the spec. */
export interface ClaimGrowth {
  template: number;
  storage: string;
  claims: string[];
}

const CLAIMS_LISTED = 8;

function storageOf(claim: V1PersistentVolumeClaim | null | undefined): unknown {
  return claim?.spec?.resources?.requests?.storage;
}

/** As observed: a request of another shape may hold anything there. */
function observedTemplates(statefulSet: KubeObject | undefined): (V1PersistentVolumeClaim | null)[] {
  const templates = (statefulSet?.spec as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates;
  return Array.isArray(templates) ? (templates as (V1PersistentVolumeClaim | null)[]) : [];
}

/** The claims the StatefulSet controller makes from claim templates carry the StatefulSet's selector labels. */
export function claimRules(namespace: string, podSelector: Record<string, string>): RelatedResourceRule[] {
  return [{ apiVersion: 'v1', resource: 'persistentvolumeclaims', namespace, labelSelector: { matchLabels: podSelector } }];
}

/**
 * The claims to grow, per template; a 422 naming the field when the spec asks for less than an
 * existing StatefulSet's claims were made with.
 */
export function claimGrowth({ kind, parentName, templates, statefulSets, claims }: ClaimSizes): ClaimGrowth[] {
  const claimsByName = new Map(claims.map((c) => [c.metadata?.name, c]));
  const growth: ClaimGrowth[] = [];
  const refusals: string[] = [];
  templates.forEach((template, index) => {
    const name = template.metadata?.name;
    const wanted = storageOf(template);
    const small: string[] = [];
    for (const statefulSet of statefulSets) {
      const before = observedTemplates(statefulSet.observed).find((t) => t?.metadata?.name === name);
      const comparison = compareQuantities(wanted, storageOf(before));
      if (comparison === undefined || comparison === 0) continue;
      if (comparison < 0) {
        refusals.push(
          `spec.volumeClaimTemplates[${index}].spec.resources.requests.storage: ${String(wanted)} is less than the ${String(storageOf(before))} ` +
            `the claims of StatefulSet ${statefulSet.name} were made with, and a volume cannot shrink: set it to ${String(storageOf(before))} or more`,
        );
        continue;
      }
      for (let ordinal = 0; ordinal < statefulSet.replicas; ordinal++) {
        const claim = `${name}-${statefulSet.name}-${ordinal}`;
        // A claim not made yet will be made from the older template: it needs growing too.
        if ((compareQuantities(storageOf(claimsByName.get(claim)), wanted) ?? -1) < 0) small.push(claim);
      }
    }
    if (small.length > 0) growth.push({ template: index, storage: String(wanted), claims: small });
  });
  if (refusals.length > 0) throw new InvalidSpecError(kind, parentName, refusals);
  return growth;
}

function listed(claims: string[]): string {
  if (claims.length <= CLAIMS_LISTED) return claims.join(', ');
  return `${claims.slice(0, CLAIMS_LISTED).join(', ')} and ${claims.length - CLAIMS_LISTED} more`;
}

/** The StorageResizePending condition while any claim is smaller than the spec asks. */
export function storageResizeCondition(growth: ClaimGrowth[], namespace: string): Condition<Reason> | undefined {
  if (growth.length === 0) return undefined;
  const parts = growth.map(({ template, storage, claims }) => {
    const patch = JSON.stringify({ spec: { resources: { requests: { storage } } } });
    return (
      `spec.volumeClaimTemplates[${template}] asks for ${storage}, but a StatefulSet's claim templates cannot change, so ` +
      `${listed(claims)} ask for less: grow each one with kubectl -n ${namespace} patch pvc ${claims[0]} -p '${patch}'`
    );
  });
  return {
    type: 'StorageResizePending',
    status: 'True',
    reason: 'ClaimsSmallerThanSpec',
    message:
      `${parts.join('; ')}. Their StorageClass must have allowVolumeExpansion: true. ` +
      `This condition clears once every claim asks for the spec's size.`,
  };
}

/** The StorageResizePending condition of a kind that runs one StatefulSet named after it, of `replicas` pods. */
export function statefulSetStorageResize(
  input: Omit<ClaimSizes, 'statefulSets'> & { replicas: number; observed: KubeObject | undefined },
): Condition<Reason> | undefined {
  const { replicas, observed, ...sizes } = input;
  const growth = claimGrowth(merged(sizes, { statefulSets: [{ name: sizes.parentName, replicas, observed }] }));
  return storageResizeCondition(growth, sizes.namespace);
}
