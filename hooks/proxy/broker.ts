// Which RocketMQ cluster a Proxy serves: the cluster of the Broker named by brokerClusterRef, or of
// the only Broker in the namespace, found from the request alone.
import type { KubeObject, ObservedObjects, RelatedResourceRule } from '../core/metacontroller.js';
import { adminSecretOfBroker } from '../rocketmq-pods/acl.js';
import { clusterNameOf } from '../rocketmq-pods/cluster.js';
import { chooseDependency, dependencyRule } from '../rocketmq-pods/dependency.js';

export interface BrokerChoice {
  brokerClusterRef?: string;
}

/** The customize rule bringing the Broker by name, or every Broker of the namespace to find the only one. */
export function brokerRules(namespace: string, spec: BrokerChoice): RelatedResourceRule[] {
  return [dependencyRule({ resource: 'brokers', namespace, ref: spec.brokerClusterRef })];
}

/** The Broker's cluster name; a brokerClusterName that is not a string (a hand-written file) is ignored. */
function clusterOf(broker: KubeObject): string {
  const properties = (broker.spec as { properties?: unknown } | undefined)?.properties;
  const clusterName = (properties as { brokerClusterName?: unknown } | undefined)?.brokerClusterName;
  return clusterNameOf(broker.metadata.name, typeof clusterName === 'string' ? { properties: { brokerClusterName: clusterName } } : {});
}

export interface BrokerCluster {
  clusterName: string;
  /** The Secret of the cluster's admin account, when its brokers authenticate requests. */
  adminSecret?: string;
}

/** The chosen Broker's cluster: without it the proxies would serve no brokers. */
export function findBrokerCluster(owner: { name: string; namespace: string }, spec: BrokerChoice, related: ObservedObjects): BrokerCluster {
  const broker = chooseDependency(related, {
    kind: 'Broker',
    resource: 'brokers',
    owner: `Proxy ${owner.namespace}/${owner.name}`,
    namespace: owner.namespace,
    refField: 'spec.brokerClusterRef',
    ref: spec.brokerClusterRef,
    whenNone: `has no brokers to serve: create a Broker in namespace ${owner.namespace}, or set spec.brokerClusterRef to the Broker whose cluster it serves`,
  });
  return { clusterName: clusterOf(broker), adminSecret: adminSecretOfBroker(broker) };
}
