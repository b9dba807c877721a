import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
import { claimRules, statefulSetStorageResize } from '../k8s/claim-growth.js';
import { renderStorage, usesClaims } from '../k8s/storage.js';
import { CONTROLLER_VOLUME } from './render.js';
import { controllerPodSelector } from './names.js';
import type { ControllerStatus } from '../schema/types.js';
import {
  renderClientService,
  renderControllerConfigMap,
  renderControllerDisruptionBudget,
  renderControllerHeadlessService,
  renderControllerStatefulSet,
} from './render.js';
import { controllerStatus } from './status.js';
import { readController } from './validate.js';

export const controllerHooks: KindHooks<ControllerStatus> = {
  kind: 'Controller',

  customize(parent) {
    const { name, namespace, spec } = readController({ parent });
    // Claim sizes feed the StorageResizePending condition.
    return usesClaims(spec) ? claimRules(namespace, controllerPodSelector(name)) : [];
  },

  sync(request, now) {
    const parent = readController(request);
    const observedStatefulSet = new ObservedObjects(request.children).get('StatefulSet', 'apps/v1', parent.name);
    const storageResize = statefulSetStorageResize({
      kind: 'Controller',
      parentName: parent.name,
      namespace: parent.namespace,
      templates: renderStorage(parent.spec, CONTROLLER_VOLUME).volumeClaimTemplates,
      replicas: parent.spec.size,
      observed: observedStatefulSet,
      claims: new ObservedObjects(request.related).list('PersistentVolumeClaim', 'v1'),
    });
    return {
      status: controllerStatus(parent, observedStatefulSet, storageResize, parent.status, now),
      children: [
        renderControllerConfigMap(parent),
        renderControllerHeadlessService(parent),
        renderClientService(parent),
        renderControllerStatefulSet(parent, observedStatefulSet),
        renderControllerDisruptionBudget(parent),
      ],
    };
  },
};
