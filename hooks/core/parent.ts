import type { HookRequest } from './metacontroller.js';
import { BadRequestError } from './errors.js';

export interface Parent<Spec> {
  name: string;
  namespace: string;
  uid?: string;
  spec: Spec;
  status?: Record<string, unknown>;
  annotations: Record<string, string>;
}

/** The parent of a hook request with its spec validated and defaulted, or a 4xx naming what is wrong. */
export function readParent<Spec>(request: HookRequest, kind: string, validateSpec: (name: string, spec: unknown) => Spec): Parent<Spec> {
  const { parent } = request;
  if (parent.kind !== kind) {
    throw new BadRequestError(
      `parent.kind is ${JSON.stringify(parent.kind)} but this hook serves ${kind}: check the CompositeController's hook URL`,
    );
  }
  const { name, namespace = 'default', uid, annotations = {} } = parent.metadata;
  return {
    name,
    namespace,
    uid,
    annotations,
    spec: validateSpec(name, parent.spec),
    status: parent.status as Record<string, unknown> | undefined,
  };
}
