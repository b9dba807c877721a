// Names and addresses of a Controller's children, as the original operator gives them, and the
// Raft peer list they make.
import { checkChildName } from '../k8s/names.js';

/** The port every controller listens on, for its Raft peers and for brokers alike. */
export const CONTROLLER_PORT = 9878;

/** Pod labels of the original operator, kept so its StatefulSets' immutable selectors still match. */
export function controllerPodSelector(name: string): Record<string, string> {
  return { app: 'controller', controller_cr: name };
}

/** Governs the StatefulSet: gives each pod the DNS name its peers reach it by. */
export function headlessServiceName(name: string): string {
  return `${name}-svc-headless`;
}

/** One address in front of every controller. */
export function clientServiceName(name: string): string {
  return `${name}-svc`;
}

export function controllerConfigMapName(name: string): string {
  return `${name}-config`;
}

export const PEER_ID_PREFIX = 'n';

/**
 * A pod's Raft id: `n` and its ordinal. Pods find theirs from the end of their own name, which
 * stays right whatever dashes the Controller's name holds.
 */
export function peerId(ordinal: number): string {
  return `${PEER_ID_PREFIX}${ordinal}`;
}

/** The stable address of the controller in pod `ordinal`, valid from anywhere in the cluster. */
export function controllerAddress(name: string, namespace: string, ordinal: number): string {
  return `${name}-${ordinal}.${headlessServiceName(name)}.${namespace}.svc:${CONTROLLER_PORT}`;
}

export function controllerAddresses(name: string, namespace: string, size: number): string[] {
  return Array.from({ length: size }, (_, i) => controllerAddress(name, namespace, i));
}

/** A DLedger peer list, `n0-host:port;n1-host:port;…`, of the pods at `addresses` by ordinal. */
export function raftPeers(addresses: string[]): string {
  return addresses.map((address, i) => `${peerId(i)}-${address}`).join(';');
}

/** 422 before rendering when the Controller's name would make a child name invalid. */
export function checkControllerNames(name: string): void {
  checkChildName('Controller', name, 'StatefulSet', name);
  checkChildName('Controller', name, 'PodDisruptionBudget', name);
  checkChildName('Controller', name, 'Service', headlessServiceName(name));
  checkChildName('Controller', name, 'Service', clientServiceName(name));
  checkChildName('Controller', name, 'ConfigMap', controllerConfigMapName(name));
}
