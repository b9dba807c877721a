// A resource that works with another of our resources finds it from the request alone: the one its
// spec names, else the only one in its namespace. Without it the resource cannot work, so a missing
// or ambiguous one is a missing dependency whose message says what to create or set.
import { MissingDependencyError } from '../core/errors.js';
import type { KubeObject, ObservedObjects, RelatedResourceRule } from '../core/metacontroller.js';

const API_VERSION = 'rocketmq.apache.org/v1alpha1';

export interface Dependency {
  kind: 'NameService' | 'Broker' | 'Controller';
  /** The kind's resource, as a customize rule names it. */
  resource: 'nameservices' | 'brokers' | 'controllers';
  /** Who depends on it, as messages name it: `Broker mq/broker`. */
  owner: string;
  namespace: string;
  /** The spec field that names it, and its value when set. */
  refField: string;
  ref?: string;
  /** What the message says to do when the namespace has none. */
  whenNone: string;
}

/** The customize rule that brings the named object, or every object of the kind in the namespace. */
export function dependencyRule({ resource, namespace, ref }: Pick<Dependency, 'resource' | 'namespace' | 'ref'>): RelatedResourceRule {
  const rule: RelatedResourceRule = { apiVersion: API_VERSION, resource, namespace };
  return ref ? { ...rule, names: [ref] } : { ...rule, labelSelector: {} };
}

export function chooseDependency(related: ObservedObjects, dependency: Dependency): KubeObject {
  const { kind, owner, namespace, refField, ref } = dependency;
  const candidates = related.list(kind, API_VERSION).filter((o) => (o.metadata.namespace ?? 'default') === namespace);
  if (ref) {
    const named = candidates.find((o) => o.metadata.name === ref);
    if (named) return named;
    throw new MissingDependencyError(
      `${owner} waits for ${kind} "${ref}" (${refField}), which does not exist in namespace ${namespace}: create it or fix the reference`,
    );
  }
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new MissingDependencyError(`${owner} ${dependency.whenNone}`);
  const names = candidates.map((o) => o.metadata.name).join(', ');
  throw new MissingDependencyError(
    `${owner} cannot choose among the ${kind}s ${names} in namespace ${namespace}: set ${refField} to one of them`,
  );
}
