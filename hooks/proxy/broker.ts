// Which RocketMQ cluster a Proxy serves: the cluster of the Broker named by brokerClusterRef, or of
// the only Broker in the namespace, found from the request alone.
import { MissingDependencyError } from '../core/errors.js';
import type { KubeObject, ObservedObjects, RelatedResourceRule } from '../core/metacontroller.js';
import { clusterNameOf } from '../rocketmq-pods/cluster.js';

export interface BrokerChoice {
  brokerClusterRef?: string;
}

/** The customize rule bringing the Broker by name, or every Broker of the namespace to find the only one. */
export function brokerRules(namespace: string, spec: BrokerChoice): RelatedResourceRule[] {
  const rule: RelatedResourceRule = { apiVersion: 'rocketmq.apache.org/v1alpha1', resource: 'brokers', namespace };
  return [spec.brokerClusterRef ? { ...rule, names: [spec.brokerClusterRef] } : { ...rule, labelSelector: {} }];
}

/** The Broker's cluster name; a brokerClusterName that is not a string (a hand-written file) is ignored. */
function clusterOf(broker: KubeObject): string {
  const properties = (broker.spec as { properties?: unknown } | undefined)?.properties;
  const clusterName = (properties as { brokerClusterName?: unknown } | undefined)?.brokerClusterName;
  return clusterNameOf(broker.metadata.name, typeof clusterName === 'string' ? { properties: { brokerClusterName: clusterName } } : {});
}

/**
 * The cluster name of the chosen Broker. Without it the proxies would serve no brokers, so a missing
 * or ambiguous Broker is a missing dependency that says what to create or set.
 */
export function findBrokerCluster(owner: { name: string; namespace: string }, spec: BrokerChoice, related: ObservedObjects): string {
  const who = `Proxy ${owner.namespace}/${owner.name}`;
  const brokers = related
    .list('Broker', 'rocketmq.apache.org/v1alpha1')
    .filter((b) => (b.metadata.namespace ?? 'default') === owner.namespace);
  const ref = spec.brokerClusterRef;
  if (ref) {
    const named = brokers.find((b) => b.metadata.name === ref);
    if (!named) {
      throw new MissingDependencyError(
        `${who} waits for Broker "${ref}" (spec.brokerClusterRef), which does not exist in namespace ${owner.namespace}: create it or fix the reference`,
      );
    }
    return clusterOf(named);
  }
  if (brokers.length === 1) return clusterOf(brokers[0]);
  if (brokers.length === 0) {
    throw new MissingDependencyError(
      `${who} has no brokers to serve: create a Broker in namespace ${owner.namespace}, or set spec.brokerClusterRef to the Broker whose cluster it serves`,
    );
  }
  const names = brokers.map((b) => b.metadata.name).join(', ');
  throw new MissingDependencyError(
    `${who} cannot choose among the Brokers ${names} in namespace ${owner.namespace}: set spec.brokerClusterRef to one of them`,
  );
}
