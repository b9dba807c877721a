import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import { readParent } from '../core/parent.js';
import { checkChildName } from '../k8s/names.js';
import type { NameServiceSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { nameServerPodSelector, renderNameServerService, renderNameServerStatefulSet } from './render.js';
import { nameServiceStatus } from './status.js';

const validateSpec = compileSpecValidator<NameServiceSpec>('NameService');

export const nameServiceHooks: KindHooks = {
  kind: 'NameService',

  customize(parent) {
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
    const parent = readParent(request, 'NameService', validateSpec);
    checkChildName('NameService', parent.name, 'StatefulSet', parent.name);
    checkChildName('NameService', parent.name, 'Service', parent.name);
    const children = new ObservedObjects(request.children);
    const related = new ObservedObjects(request.related);
    const observedStatefulSet = children.get('StatefulSet', 'apps/v1', parent.name);
    return {
      status: nameServiceStatus(parent, observedStatefulSet, related.list('Pod', 'v1'), parent.status, now),
      children: [renderNameServerService(parent), renderNameServerStatefulSet(parent, observedStatefulSet)],
    };
  },
};
