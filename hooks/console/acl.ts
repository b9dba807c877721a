// The account the dashboard signs its requests with: that of the Brokers in its namespace whose
// spec.acl is on. The dashboard has one account, so those Brokers must share their Secret.
import { InvalidSpecError } from '../core/errors.js';
import type { ObservedObjects } from '../core/metacontroller.js';
import { adminSecretOfBroker } from '../rocketmq-pods/acl.js';

export function consoleAdminSecret(parent: { name: string; namespace: string }, related: ObservedObjects): string | undefined {
  const secrets = new Map<string, string[]>();
  for (const broker of related.list('Broker', 'rocketmq.apache.org/v1alpha1')) {
    const secret = adminSecretOfBroker(broker);
    if (secret !== undefined && (broker.metadata.namespace ?? 'default') === parent.namespace) {
      secrets.set(secret, [...(secrets.get(secret) ?? []), broker.metadata.name]);
    }
  }
  if (secrets.size <= 1) return secrets.keys().next().value;
  const uses = [...secrets].map(([secret, brokers]) => `${brokers.join(', ')} use ${secret}`).join('; ');
  throw new InvalidSpecError('Console', parent.name, [
    `the Brokers with spec.acl in namespace ${parent.namespace} have different admin Secrets (${uses}); the dashboard signs with one account, so give them the same spec.acl.adminSecret`,
  ]);
}
