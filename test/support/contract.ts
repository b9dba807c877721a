// The rules every 200 hook reply must follow, checked the way Metacontroller would read it (strict mode).
import { Ajv } from 'ajv';
import type { HookRequest, KubeObject } from '../../hooks/core/metacontroller.js';
import { declaredChildTypes } from './compositecontrollers.js';

const responseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'children'],
  properties: {
    status: { type: 'object' },
    children: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'metadata'],
        not: { required: ['status'] },
        properties: {
          metadata: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', minLength: 1 } },
            not: {
              anyOf: ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'ownerReferences'].map((f) => ({
                required: [f],
              })),
            },
          },
        },
      },
    },
    resyncAfterSeconds: { type: 'number', exclusiveMinimum: 0 },
    finalized: { type: 'boolean' },
  },
};

const checkShape = new Ajv({ allErrors: true }).compile(responseSchema);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function findNull(value: unknown, path = ''): string | undefined {
  if (value === null) return path || '(root)';
  if (typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const found = findNull(v, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Throws with every broken rule, so a failing test says which. */
export function assertHookResponse(body: any, request: HookRequest, parentResource: string): void {
  const problems: string[] = [];
  if (!checkShape(body)) problems.push(...(checkShape.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  const nullAt = findNull(body);
  if (nullAt) problems.push(`null at ${nullAt}`);
  if (body.finalized === true && !request.finalizing) problems.push('finalized is true outside a finalize call');
  const declared = declaredChildTypes(parentResource);
  const seen = new Set<string>();
  for (const child of (body.children ?? []) as KubeObject[]) {
    const type = `${child.apiVersion} ${child.kind}`;
    if (!declared.has(type)) problems.push(`${type} is not a childResource of the ${parentResource} CompositeController`);
    const { name, namespace, annotations } = child.metadata;
    if (namespace !== undefined && namespace !== request.parent.metadata.namespace)
      problems.push(`${name} is outside the parent's namespace`);
    if (!DNS_LABEL.test(name) || name.length > 63) problems.push(`${name} is not a DNS label of at most 63 characters`);
    if (annotations?.['metacontroller.k8s.io/last-applied-configuration']) problems.push(`${name} echoes Metacontroller's annotation`);
    const id = `${type} ${name}`;
    if (seen.has(id)) problems.push(`${id} is rendered twice`);
    seen.add(id);
  }
  if (problems.length > 0) throw new Error(`hook reply breaks the contract:\n- ${problems.join('\n- ')}`);
}
