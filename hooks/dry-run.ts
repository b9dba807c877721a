// Dry-run rendering: a stream of manifests in, the children each custom resource would get out.
import { isMap, isScalar, Lexer, parseAllDocuments, stringify, visit } from 'yaml';
import { Ajv } from 'ajv';
import { BadRequestError, HookError } from './core/errors.js';
import { manifestSchema } from './core/request-schema.js';
import { unknownFields } from './schema/unknown-fields.js';
import { DEFAULT_SETTINGS, type OperatorSettings } from './core/kind-hooks.js';
import { hooksForKind } from './registry.js';
import { type KubeObject, type ObjectMap, type RelatedResourceRule, typeKey } from './core/metacontroller.js';

export const GROUP_VERSION = 'rocketmq.apache.org/v1alpha1';

/** Kinds of the resources hooks ask for as related objects. */
const RESOURCE_KINDS: Record<string, string> = {
  pods: 'Pod',
  configmaps: 'ConfigMap',
  nameservices: 'NameService',
  brokers: 'Broker',
  controllers: 'Controller',
};

/** A manifest shaped as a hook request's parent or related object would be. */
const checkManifest = new Ajv({ strict: false }).compile(manifestSchema);

/** A document's value; aliases are expanded at most a few times, so a small file cannot grow huge. */
type YamlDocument = ReturnType<typeof parseAllDocuments>[number];

/**
 * A key given twice in one mapping, as kubectl refuses it. Checked here with one set per mapping:
 * the parser's own check compares every key with every other, which a long map makes slow.
 */
function duplicateKey(doc: YamlDocument): string | undefined {
  let duplicate: string | undefined;
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          duplicate = String(key);
          return visit.BREAK;
        }
        seen.add(key);
      }
    },
  });
  return duplicate;
}

function documentValue(doc: YamlDocument): unknown {
  if (doc.errors.length > 0) throw new BadRequestError(`cannot parse the manifests: ${doc.errors[0].message}`);
  const duplicate = duplicateKey(doc);
  if (duplicate !== undefined)
    throw new BadRequestError(`cannot parse the manifests: the key "${duplicate.slice(0, 64)}" is given twice in one mapping`);
  try {
    return doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new BadRequestError(`cannot read the manifests: ${(error as Error).message}`);
  }
}

/** More RocketMQ resources than one file of clusters holds. */
const MAX_RESOURCES = 8;

/** Deeper than any manifest nests: a stream nested further is refused before it is parsed. */
const MAX_FLOW_DEPTH = 64;

/**
 * Whether `[`/`{` nest deeper than MAX_FLOW_DEPTH. Counting every bracket is a cheap upper bound;
 * only when it is exceeded does YAML's own lexer decide (quotes, comments and apostrophes in plain
 * text are its to tell apart), and it stops at the first bracket too deep, so the cost stays small.
 */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  if (deepest <= MAX_FLOW_DEPTH) return false;
  depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > MAX_FLOW_DEPTH) return true;
    } else if (token === ']' || token === '}') depth--;
  }
  return false;
}

/**
 * YAML parsing costs about 10 µs a node, so the node count is bounded, not only the bytes: every
 * node past the first of a collection follows a comma (flow) or a line break (block), and counting
 * those is a pass over the text that costs almost nothing. A file of a few clusters has hundreds.
 */
const MAX_LINES_AND_ITEMS = 8192;

function hasTooManyNodes(text: string): boolean {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x0a || c === 0x2c) && ++count > MAX_LINES_AND_ITEMS) return true;
  }
  return false;
}

export function parseManifests(text: string): KubeObject[] {
  if (hasTooManyNodes(text)) {
    throw new BadRequestError(
      `the manifests have more than ${MAX_LINES_AND_ITEMS} lines and list items: render the files of a few clusters at a time`,
    );
  }
  if (nestsTooDeep(text)) throw new BadRequestError(`the manifests nest more than ${MAX_FLOW_DEPTH} levels deep`);
  const documents = parseAllDocuments(text, { uniqueKeys: false });
  const objects: KubeObject[] = [];
  for (const doc of Array.isArray(documents) ? documents : [documents]) {
    const value = documentValue(doc);
    if (value === null || value === undefined) continue;
    const list = value as { kind?: unknown; items?: unknown };
    const items = typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items) ? list.items : [value];
    for (const item of items) {
      if (!checkManifest(item)) {
        const where = checkManifest.errors?.[0];
        throw new BadRequestError(
          `every manifest needs apiVersion, kind and metadata.name of the usual types${where ? `: ${where.instancePath || 'the manifest'} ${where.message}` : ''}`,
        );
      }
      const object = item as KubeObject;
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
  /** Fields of the resource its CRD does not know: the API server would drop them. */
  warnings: string[];
  /** Why it could not be rendered; its children are then empty. */
  error?: HookError;
}

/**
 * Renders every custom resource in the stream, finding its related objects in the same stream. One
 * resource that cannot be rendered does not stop the others: each carries its own error.
 */
export function renderManifests(objects: KubeObject[], now: Date, settings: OperatorSettings = DEFAULT_SETTINGS): RenderedResource[] {
  const parents = objects.filter((o) => o.apiVersion === GROUP_VERSION && hooksForKind(o.kind));
  // Each is bounded by its CRD; their number is bounded here, so one stream costs milliseconds.
  if (parents.length > MAX_RESOURCES) throw new BadRequestError(`a stream may hold at most ${MAX_RESOURCES} RocketMQ resources; split it`);
  return parents.map((parent) => {
    const hooks = hooksForKind(parent.kind)!;
    const what = `${parent.kind} ${parent.metadata.namespace}/${parent.metadata.name}`;
    const warnings = unknownFields(hooks.kind, parent).map(
      (path) => `${what}: ${path} is not a field of ${parent.kind}; the API server would drop it`,
    );
    try {
      const related = relatedFrom(objects, hooks.customize(parent));
      const { status, children } = hooks.sync({ parent, children: {}, related, finalizing: false }, now, settings);
      return { parent, status: status as Record<string, unknown>, children, warnings };
    } catch (error) {
      if (!(error instanceof HookError)) throw error;
      return { parent, status: {}, children: [], warnings, error };
    }
  });
}

export function toYamlStream(objects: unknown[]): string {
  // No anchors: each object printed whole, as kubectl prints it.
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
