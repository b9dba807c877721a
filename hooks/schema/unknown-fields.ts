// Fields of a resource that its CRD schema does not know. The API server drops them silently, so a
// misspelt field (`replicas` for `size`) would do nothing; a dry-run render names them instead.
import { type CustomKind, type JsonSchema, loadCrd, objectSchema } from './crds.js';

interface Node {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** Deeper than any schema goes: a value nested further is not walked (the schema bounds the rest). */
const MAX_DEPTH = 32;

function walk(schema: Node, value: unknown, path: string, found: string[], depth: number): void {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walk(schema.items as Node, item, `${path}[${i}]`, found, depth + 1));
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const known = schema.properties && Object.hasOwn(schema.properties, key) ? (schema.properties[key] as Node) : undefined;
    if (known) walk(known, child, `${path}.${key}`, found, depth + 1);
    else if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, child, `${path}.${key}`, found, depth + 1);
    else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) found.push(`${path}.${key}`.slice(1));
  }
}

const schemas = new Map<CustomKind, Node>();

/** Paths of the fields in `object` (a whole custom resource) that the kind's schema does not define. */
export function unknownFields(kind: CustomKind, object: unknown): string[] {
  let schema = schemas.get(kind);
  if (!schema) schemas.set(kind, (schema = objectSchema(loadCrd(kind)) as Node));
  const found: string[] = [];
  // metadata is the API server's own (ObjectMeta); only the rest is ours to check.
  const { metadata: _metadata, ...rest } = (object ?? {}) as Record<string, unknown>;
  walk(schema, rest, '', found, 0);
  return found;
}
