import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import type { NameServiceStatus } from '../schema/types.js';
import { nameServerPodSelector, renderNameServerService, renderNameServerStatefulSet } from './render.js';
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
    return {
      status: nameServiceStatus(parent, observedStatefulSet, related.list('Pod', 'v1'), parent.status, now),
      children: [renderNameServerService(parent), renderNameServerStatefulSet(parent, observedStatefulSet)],
    };
  },
};
