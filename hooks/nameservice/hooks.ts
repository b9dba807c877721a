import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import type { NameServiceStatus } from '../schema/types.js';
import { podServicesMode } from '../rocketmq-pods/nameservers.js';
import { renderDisruptionBudget } from '../k8s/disruption-budget.js';
import {
  nameServerPodSelector,
  needsPodServices,
  renderNameServerPodServices,
  renderNameServerService,
  renderNameServerStatefulSet,
} from './render.js';
import { nameServiceStatus } from './status.js';
import { readNameService } from './validate.js';

export const nameServiceHooks: KindHooks<NameServiceStatus> = {
  kind: 'NameService',

  customize(parent) {
    readNameService({ parent });
    // Pod IPs feed status.nameServers, as the original operator reports them.
    return [
      {
        apiVersion: 'v1',
        resource: 'pods',
        namespace: parent.metadata.namespace,
        labelSelector: { matchLabels: nameServerPodSelector(parent.metadata.name) },
      },
    ];
  },

  sync(request, now) {
    const parent = readNameService(request);
    const children = new ObservedObjects(request.children);
    const related = new ObservedObjects(request.related);
    const observedStatefulSet = children.get('StatefulSet', 'apps/v1', parent.name);
    const mode = podServicesMode(parent.name, parent.annotations);
    const podServices = needsPodServices(parent, mode, observedStatefulSet) ? renderNameServerPodServices(parent) : [];
    return {
      status: nameServiceStatus(parent, mode, observedStatefulSet, related.list('Pod', 'v1'), parent.status, now),
      children: [
        renderNameServerService(parent),
        ...podServices,
        renderNameServerStatefulSet(parent, observedStatefulSet),
        renderDisruptionBudget({
          component: 'nameservice',
          instance: parent.name,
          name: parent.name,
          namespace: parent.namespace,
          podSelector: nameServerPodSelector(parent.name),
        }),
      ],
    };
  },
};
