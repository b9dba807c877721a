// The shapes Metacontroller sends to and expects from CompositeController hooks.
import type {
  V1ConfigMap,
  V1Deployment,
  V1Job,
  V1ObjectMeta,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1Role,
  V1RoleBinding,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';

/** Object metadata as the hooks read it: `name` is always there (the request schema checks it). */
export type ObjectMeta = V1ObjectMeta & { name: string };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** `"<Kind>.<apiVersion>"` → (name or namespace/name) → object. */
export type ObjectMap = Record<string, Record<string, KubeObject>>;

export interface HookRequest {
  controller?: unknown;
  parent: KubeObject;
  children?: ObjectMap;
  related?: ObjectMap;
  finalizing?: boolean;
}

export interface SyncResponse<Status = Record<string, unknown>> {
  status: Status;
  children: KubeObject[];
  resyncAfterSeconds?: number;
  finalized?: boolean;
}

export interface RelatedResourceRule {
  apiVersion: string;
  resource: string;
  namespace?: string;
  names?: string[];
  labelSelector?: { matchLabels?: Record<string, string> };
}

/** The map key Metacontroller uses for a type: `Pod.v1`, `StatefulSet.apps/v1`. */
export function typeKey(kind: string, apiVersion: string): string {
  return `${kind}.${apiVersion}`;
}

/** The @kubernetes/client-node type of each built-in type the hooks observe, by map key. */
interface BuiltInTypes {
  'StatefulSet.apps/v1': V1StatefulSet;
  'Deployment.apps/v1': V1Deployment;
  'Service.v1': V1Service;
  'ConfigMap.v1': V1ConfigMap;
  'Secret.v1': V1Secret;
  'Pod.v1': V1Pod;
  'PersistentVolumeClaim.v1': V1PersistentVolumeClaim;
  'ServiceAccount.v1': V1ServiceAccount;
  'Job.batch/v1': V1Job;
  'PodDisruptionBudget.policy/v1': V1PodDisruptionBudget;
  'Role.rbac.authorization.k8s.io/v1': V1Role;
  'RoleBinding.rbac.authorization.k8s.io/v1': V1RoleBinding;
}

/** A built-in type with the metadata every observed object has; our own kinds stay KubeObject. */
export type Observed<Key extends string> = Key extends keyof BuiltInTypes ? BuiltInTypes[Key] & KubeObject : KubeObject;

/**
 * Objects of one type from a children or related map, by name. Accepts both key styles
 * (v1 `name`, v2 `namespace/name`) since the object itself carries its identity.
 */
export class ObservedObjects {
  private readonly byType = new Map<string, Map<string, KubeObject>>();

  constructor(...maps: (ObjectMap | undefined)[]) {
    for (const map of maps) {
      for (const [key, objects] of Object.entries(map ?? {})) {
        const byName = this.byType.get(key) ?? new Map<string, KubeObject>();
        for (const object of Object.values(objects ?? {})) byName.set(object.metadata.name, object);
        this.byType.set(key, byName);
      }
    }
  }

  get<K extends string, V extends string>(kind: K, apiVersion: V, name: string): Observed<`${K}.${V}`> | undefined {
    return this.byType.get(typeKey(kind, apiVersion))?.get(name) as Observed<`${K}.${V}`> | undefined;
  }

  list<K extends string, V extends string>(kind: K, apiVersion: V): Observed<`${K}.${V}`>[] {
    const byName = this.byType.get(typeKey(kind, apiVersion));
    if (!byName) return [];
    return [...byName.keys()].sort().map((name) => byName.get(name) as Observed<`${K}.${V}`>);
  }
}
