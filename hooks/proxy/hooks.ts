import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import { nameServiceRules, resolveNameServers } from '../rocketmq-pods/nameservers.js';
import type { ProxyStatus } from '../schema/types.js';
import { brokerRules, findBrokerCluster } from './broker.js';
import { proxyConfigText } from './config.js';
import { renderProxyConfigMap, renderProxyDeployment, renderProxyDisruptionBudget, renderProxyService } from './render.js';
import { proxyStatus } from './status.js';
import { readProxy, validateProxySpec } from './validate.js';

export const proxyHooks: KindHooks<ProxyStatus> = {
  kind: 'Proxy',

  customize(parent) {
    const namespace = parent.metadata.namespace ?? 'default';
    const spec = validateProxySpec(parent.metadata.name, parent.spec);
    return [...nameServiceRules(namespace, spec), ...brokerRules(namespace, spec)];
  },

  sync(request, now) {
    const parent = readProxy(request);
    const { name, namespace, spec } = parent;
    const related = new ObservedObjects(request.related);
    const nameServers = resolveNameServers({ kind: 'Proxy', name, namespace, spec }, related);
    const { clusterName, adminSecret } = findBrokerCluster(parent, spec, related);
    const configText = proxyConfigText({ clusterName, nameServers, userConfig: spec.config, acl: adminSecret !== undefined });
    const observed = new ObservedObjects(request.children).get('Deployment', 'apps/v1', name);
    return {
      status: proxyStatus({ name, namespace, size: spec.size, nameServers, clusterName }, observed, parent.status, now),
      children: [
        renderProxyConfigMap(parent, configText),
        renderProxyDeployment(parent, configText, adminSecret),
        renderProxyService(parent),
        renderProxyDisruptionBudget(parent),
      ],
    };
  },
};
