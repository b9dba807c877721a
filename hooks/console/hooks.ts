import type { V1Deployment } from '@kubernetes/client-node';
import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import { readParent } from '../core/parent.js';
import { checkChildName } from '../k8s/names.js';
import { nameServiceRules, resolveNameServers } from '../rocketmq-pods/nameservers.js';
import type { ConsoleSpec, ConsoleStatus } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { consoleServiceName, renderConsoleDeployment, renderConsoleService } from './render.js';
import { consoleStatus } from './status.js';

const validateSpec = compileSpecValidator<ConsoleSpec>('Console');

export const consoleHooks: KindHooks = {
  kind: 'Console',

  customize(parent) {
    const namespace = parent.metadata.namespace ?? 'default';
    return nameServiceRules(namespace, validateSpec(parent.metadata.name, parent.spec));
  },

  sync(request, now) {
    const parent = readParent(request, 'Console', validateSpec);
    const { name, namespace, spec } = parent;
    checkChildName('Console', name, 'Deployment', name);
    checkChildName('Console', name, 'Service', consoleServiceName(name));
    const nameServers = resolveNameServers({ kind: 'Console', name, namespace, spec }, new ObservedObjects(request.related));
    const observed = new ObservedObjects(request.children).get('Deployment', 'apps/v1', name);
    const wanted = (spec.consoleDeployment as V1Deployment).spec?.replicas ?? 1;
    return {
      status: consoleStatus(observed, wanted, nameServers, parent.status as ConsoleStatus | undefined, now) as Record<string, unknown>,
      children: [renderConsoleDeployment(parent, nameServers, observed), renderConsoleService(parent)],
    };
  },
};
