import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import type { NameServiceStatus } from '../schema/types.js';
import { POD_SERVICES_ANNOTATION, podServicesMode } from '../rocketmq-pods/nameservers.js';
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
import { renderNameServerConfigMap, runsController } from './controller.js';
import { InvalidSpecError } from '../core/errors.js';
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
    if (runsController(parent.spec) && podServices.length > 0) {
      throw new InvalidSpecError('NameService', parent.name, [
        `spec.controller.enabled: the controllers reach each other by the name servers' DNS names under Service ${parent.name}, which pods of a StatefulSet adopted from the original operator do not have yet: finish moving clients off the per-pod Services (annotation ${POD_SERVICES_ANNOTATION}) first, or set enabled: false`,
      ]);
    }
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
        ...(runsController(parent.spec) ? [renderNameServerConfigMap(parent)] : []),
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
