// The shape of a hook request, checked before any hook runs: every field a hook reads from the
// parent, the observed children and the related objects has the type it reads it as, so a request
// of another shape is a 400 naming the field, never an exception inside a hook.

const MAX_NAME = 253;
const text = (maxLength: number) => ({ type: 'string', maxLength });
const whole = { type: 'integer' };
const stringMap = { type: 'object', maxProperties: 512, additionalProperties: { type: 'string' } };

const metadata = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: MAX_NAME },
    namespace: text(63),
    uid: text(64),
    generation: whole,
    resourceVersion: text(64),
    labels: stringMap,
    annotations: stringMap,
    deletionTimestamp: text(64),
  },
};

const condition = {
  type: 'object',
  properties: { type: text(316), status: text(16), reason: text(1024), message: { type: 'string' }, lastTransitionTime: text(64) },
};

/** Status fields of StatefulSets, Deployments, Jobs and Pods that the hooks read. */
const observedStatus = {
  type: 'object',
  properties: {
    replicas: whole,
    readyReplicas: whole,
    updatedReplicas: whole,
    observedGeneration: whole,
    currentRevision: text(MAX_NAME),
    updateRevision: text(MAX_NAME),
    active: whole,
    succeeded: whole,
    failed: whole,
    terminating: whole,
    phase: text(64),
    podIP: text(64),
    conditions: { type: 'array', maxItems: 64, items: condition },
  },
};

/** What the hooks read of particular kinds, beyond what every object has. */
const byKind = [
  // Workloads always have a spec with a pod template: the hooks read and carry it over.
  {
    kinds: ['StatefulSet', 'Deployment', 'Job'],
    then: { required: ['spec'], properties: { spec: { type: 'object', required: ['template'] } } },
  },
  // A related NameService's size becomes one address per name server, within its CRD's bound.
  {
    kinds: ['NameService'],
    then: { properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1, maximum: 32 } } } } },
  },
].map(({ kinds, then }) => ({ if: { properties: { kind: { enum: kinds } } }, then }));

/** What every object has (apiVersion, kind, metadata), with the types of the fields given. */
function objectWith(fields: Record<string, object>) {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: { apiVersion: text(MAX_NAME), kind: text(MAX_NAME), metadata, ...fields },
  };
}

/** Any Kubernetes object as a manifest, with the types the hooks read. */
export const manifestSchema = objectWith({
  spec: { type: 'object', properties: { replicas: whole, template: { type: 'object' } } },
  status: observedStatus,
  data: stringMap,
});

/** An observed child or related object: a manifest, and what the hooks read of its kind. */
const kubeObject = { ...manifestSchema, allOf: byKind };

/** `"<Kind>.<apiVersion>"` → name → object; a cluster's children number a few hundred at most. */
const objectMap = {
  type: 'object',
  maxProperties: 64,
  additionalProperties: { type: 'object', maxProperties: 4096, additionalProperties: kubeObject },
};

export const hookRequestSchema = {
  type: 'object',
  required: ['parent'],
  properties: {
    // The parent's spec is the kind's own (its CRD schema checks it); its status is only a report.
    parent: objectWith({ spec: { type: 'object' }, status: { type: 'object' } }),
    children: objectMap,
    related: objectMap,
    finalizing: { type: 'boolean' },
  },
};
