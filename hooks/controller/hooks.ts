import type { KindHooks } from '../core/kind-hooks.js';
import { ObservedObjects } from '../core/metacontroller.js';
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
    readController({ parent });
    return [];
  },

  sync(request, now) {
    const parent = readController(request);
    const observedStatefulSet = new ObservedObjects(request.children).get('StatefulSet', 'apps/v1', parent.name);
    return {
      status: controllerStatus(parent, observedStatefulSet, parent.status, now),
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
