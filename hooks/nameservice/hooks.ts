import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import type { NameServiceStatus } from '../schema/types.js';
import { podServicesMode } from '../rocketmq-pods/nameservers.js';
import { renderDisruptionBudget } from '../k8s/disruption-budget.js';
import { claimRules, statefulSetStorageResize } from '../k8s/claim-growth.js';
import { renderStorage, usesClaims } from '../k8s/storage.js';
import {
  NAME_SERVER_VOLUME,
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
    const { name, namespace, spec } = readNameService({ parent });
    // Pod IPs feed status.nameServers, as the original operator reports them; claim sizes the StorageResizePending condition.
    return [
      { apiVersion: 'v1', resource: 'pods', namespace, labelSelector: { matchLabels: nameServerPodSelector(name) } },
      ...(usesClaims(spec) ? claimRules(namespace, nameServerPodSelector(name)) : []),
    ];
  },

  sync(request, now) {
    const parent = readNameService(request);
    const children = new ObservedObjects(request.children);
    const related = new ObservedObjects(request.related);
    const observedStatefulSet = children.get('StatefulSet', 'apps/v1', parent.name);
    const mode = podServicesMode(parent.name, parent.annotations);
    const podServices = needsPodServices(parent, mode, observedStatefulSet) ? renderNameServerPodServices(parent) : [];
    const storageResize = statefulSetStorageResize({
      kind: 'NameService',
      parentName: parent.name,
      namespace: parent.namespace,
      templates: renderStorage(parent.spec, NAME_SERVER_VOLUME).volumeClaimTemplates,
      replicas: parent.spec.size,
      observed: observedStatefulSet,
      claims: related.list('PersistentVolumeClaim', 'v1'),
    });
    const observed = { statefulSet: observedStatefulSet, pods: related.list('Pod', 'v1') };
    return {
      status: nameServiceStatus(parent, mode, observed, storageResize, parent.status, now),
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
