// The account a resource that works with every cluster of its namespace (a Console, a TopicTransfer)
// signs its requests with: that of the Brokers in the namespace whose spec.acl is on. Such a resource
// has one account, so those Brokers must share their Secret.
import { InvalidSpecError } from '../core/errors.js';
import type { ObservedObjects, RelatedResourceRule } from '../core/metacontroller.js';
import { adminSecretOfBroker } from './acl.js';
import { dependencyRule } from './dependency.js';

/** The customize rule that brings the Brokers of the namespace. */
export function namespaceBrokersRule(namespace: string): RelatedResourceRule {
  return dependencyRule({ resource: 'brokers', namespace });
}

export function namespaceAdminSecret(
  parent: { kind: 'Console' | 'TopicTransfer'; name: string; namespace: string },
  related: ObservedObjects,
): string | undefined {
  const secrets = new Map<string, string[]>();
  for (const broker of related.list('Broker', 'rocketmq.apache.org/v1alpha1')) {
    const secret = adminSecretOfBroker(broker);
    if (secret !== undefined && (broker.metadata.namespace ?? 'default') === parent.namespace) {
      secrets.set(secret, [...(secrets.get(secret) ?? []), broker.metadata.name]);
    }
  }
  if (secrets.size <= 1) return secrets.keys().next().value;
  const uses = [...secrets].map(([secret, brokers]) => `${brokers.join(', ')} use ${secret}`).join('; ');
  throw new InvalidSpecError(parent.kind, parent.name, [
    `the Brokers with spec.acl in namespace ${parent.namespace} have different admin Secrets (${uses}); a ${parent.kind} signs with one account, so give them the same spec.acl.adminSecret`,
  ]);
}
