// Names and addresses of a Controller's children, as the original operator gives them, and the
// Raft peer list they make.
import { checkChildName } from '../k8s/names.js';
import { clientServiceName, headlessServiceName } from '../rocketmq-pods/controllers.js';
import { CONTROLLER_PORT } from '../rocketmq-pods/raft.js';

/** Pod labels of the original operator, kept so its StatefulSets' immutable selectors still match. */
export function controllerPodSelector(name: string): Record<string, string> {
  return { app: 'controller', controller_cr: name };
}

export function controllerConfigMapName(name: string): string {
  return `${name}-config`;
}

/** The stable address of the controller in pod `ordinal`, valid from anywhere in the cluster. */
export function controllerAddress(name: string, namespace: string, ordinal: number): string {
  return `${name}-${ordinal}.${headlessServiceName(name)}.${namespace}.svc:${CONTROLLER_PORT}`;
}

export function controllerAddresses(name: string, namespace: string, size: number): string[] {
  return Array.from({ length: size }, (_, i) => controllerAddress(name, namespace, i));
}

/** 422 before rendering when the Controller's name would make a child name invalid. */
export function checkControllerNames(name: string): void {
  checkChildName('Controller', name, 'StatefulSet', name);
  checkChildName('Controller', name, 'PodDisruptionBudget', name);
  checkChildName('Controller', name, 'Service', headlessServiceName(name));
  checkChildName('Controller', name, 'Service', clientServiceName(name));
  checkChildName('Controller', name, 'ConfigMap', controllerConfigMapName(name));
}
