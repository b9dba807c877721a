// The shapes Metacontroller sends to and expects from CompositeController hooks.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  [key: string]: unknown;
}

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

export interface SyncResponse {
  status: Record<string, unknown>;
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

export interface CustomizeResponse {
  relatedResources: RelatedResourceRule[];
}

/** The map key Metacontroller uses for a type: `Pod.v1`, `StatefulSet.apps/v1`. */
export function typeKey(kind: string, apiVersion: string): string {
  return `${kind}.${apiVersion}`;
}

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

  get<T = KubeObject>(kind: string, apiVersion: string, name: string): T | undefined {
    return this.byType.get(typeKey(kind, apiVersion))?.get(name) as T | undefined;
  }

  list<T = KubeObject>(kind: string, apiVersion: string): T[] {
    const byName = this.byType.get(typeKey(kind, apiVersion));
    if (!byName) return [];
    return [...byName.keys()].sort().map((name) => byName.get(name) as T);
  }
}
