import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import { namespaceAdminSecret, namespaceBrokersRule } from '../rocketmq-pods/namespace-acl.js';
import { nameServiceRules, resolveNameServers } from '../rocketmq-pods/nameservers.js';
import type { ConsoleStatus } from '../schema/types.js';
import { renderConsoleDeployment, renderConsoleService } from './render.js';
import { consoleStatus } from './status.js';
import { readConsole, validateConsoleSpec } from './validate.js';

export const consoleHooks: KindHooks<ConsoleStatus> = {
  kind: 'Console',

  customize(parent) {
    const namespace = parent.metadata.namespace ?? 'default';
    return [
      ...nameServiceRules(namespace, validateConsoleSpec(parent.metadata.name, parent.spec)),
      // The Brokers tell whether the dashboard must sign its requests, and with which account.
      namespaceBrokersRule(namespace),
    ];
  },

  sync(request, now) {
    const parent = readConsole(request);
    const { name, namespace, spec } = parent;
    const related = new ObservedObjects(request.related);
    const nameServers = resolveNameServers({ kind: 'Console', name, namespace, spec }, related);
    const adminSecret = namespaceAdminSecret({ kind: 'Console', name, namespace }, related);
    const observed = new ObservedObjects(request.children).get('Deployment', 'apps/v1', name);
    const wanted = spec.consoleDeployment.spec?.replicas ?? 1;
    return {
      status: consoleStatus(observed, wanted, nameServers, parent.status, now),
      children: [renderConsoleDeployment(parent, nameServers, observed, adminSecret), renderConsoleService(parent)],
    };
  },
};
