import type { V1StatefulSet } from '@kubernetes/client-node';
import type { Reason } from '../core/reasons.js';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import { statefulSetConditions } from '../k8s/statefulset-conditions.js';
import type { ControllerStatus } from '../schema/types.js';
import { controllerAddresses } from './names.js';
import type { ControllerParent } from './render.js';

export function controllerStatus(
  { name, namespace, spec }: ControllerParent,
  sts: V1StatefulSet | undefined,
  storageResize: Condition<Reason> | undefined,
  previous: Record<string, unknown> | undefined,
  now: Date,
): ControllerStatus {
  const addresses = controllerAddresses(name, namespace, spec.size);
  return {
    controllerAddr: addresses.join(';'),
    addresses,
    replicas: sts?.status?.replicas ?? 0,
    readyReplicas: sts?.status?.readyReplicas ?? 0,
    conditions: withTransitionTimes(
      [...statefulSetConditions(spec.size, sts, 'controller'), ...(storageResize ? [storageResize] : [])],
      previous?.conditions,
      now,
    ),
  };
}
