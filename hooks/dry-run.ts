// Dry-run rendering: a stream of manifests in, the children each custom resource would get out.
import { parseAllDocuments, stringify } from 'yaml';
import { BadRequestError } from './core/errors.js';
import { DEFAULT_SETTINGS, type OperatorSettings } from './core/kind-hooks.js';
import { hooksForKind } from './registry.js';
import { type KubeObject, type ObjectMap, type RelatedResourceRule, typeKey } from './core/metacontroller.js';

export const GROUP_VERSION = 'rocketmq.apache.org/v1alpha1';

/** Kinds of the resources hooks ask for as related objects. */
const RESOURCE_KINDS: Record<string, string> = {
  pods: 'Pod',
  configmaps: 'ConfigMap',
  nameservices: 'NameService',
};

export function parseManifests(text: string): KubeObject[] {
  const documents = parseAllDocuments(text);
  const objects: KubeObject[] = [];
  for (const doc of Array.isArray(documents) ? documents : [documents]) {
    if (doc.errors.length > 0) throw new BadRequestError(`cannot parse the manifests: ${doc.errors[0].message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const items = (value as { kind?: string; items?: unknown[] }).kind?.endsWith('List') ? (value as { items: unknown[] }).items : [value];
    for (const item of items) {
      const object = item as KubeObject;
      if (!object?.kind || !object.apiVersion || !object.metadata?.name) {
        throw new BadRequestError('every manifest needs apiVersion, kind and metadata.name');
      }
      objects.push({ ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? 'default' } });
    }
  }
  return objects;
}

function matchesRule(object: KubeObject, rule: RelatedResourceRule): boolean {
  if (object.apiVersion !== rule.apiVersion || object.kind !== RESOURCE_KINDS[rule.resource]) return false;
  if (rule.namespace && object.metadata.namespace !== rule.namespace) return false;
  if (rule.names && !rule.names.includes(object.metadata.name)) return false;
  const labels = object.metadata.labels ?? {};
  return Object.entries(rule.labelSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** The related map Metacontroller would send, built from the objects at hand (v2 keys). */
export function relatedFrom(objects: KubeObject[], rules: RelatedResourceRule[]): ObjectMap {
  const related: ObjectMap = {};
  for (const rule of rules) {
    const kind = RESOURCE_KINDS[rule.resource];
    const entry = (related[typeKey(kind, rule.apiVersion)] ??= {});
    for (const object of objects.filter((o) => matchesRule(o, rule))) {
      entry[`${object.metadata.namespace}/${object.metadata.name}`] = object;
    }
  }
  return related;
}

export interface RenderedResource {
  parent: KubeObject;
  status: Record<string, unknown>;
  children: KubeObject[];
}

/** Renders every custom resource in the stream, finding its related objects in the same stream. */
export function renderManifests(objects: KubeObject[], now: Date, settings: OperatorSettings = DEFAULT_SETTINGS): RenderedResource[] {
  return objects
    .filter((o) => o.apiVersion === GROUP_VERSION && hooksForKind(o.kind))
    .map((parent) => {
      const hooks = hooksForKind(parent.kind)!;
      const related = relatedFrom(objects, hooks.customize(parent));
      const { status, children } = hooks.sync({ parent, children: {}, related, finalizing: false }, now, settings);
      return { parent, status: status as Record<string, unknown>, children };
    });
}

export function toYamlStream(objects: unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
