// How brokers reach a Controller: the names a Controller's children have that its users need.
import { CONTROLLER_PORT } from './raft.js';

/** The Service in front of every controller of a Controller. */
export function clientServiceName(controller: string): string {
  return `${controller}-svc`;
}

/**
 * A Controller's address for brokers: its Service. Any controller answers a broker with the leader's
 * address, so the address holds whatever the Controller's size, and exists as soon as the Controller does.
 */
export function controllerServiceAddress(controller: string, namespace: string): string {
  return `${clientServiceName(controller)}.${namespace}.svc:${CONTROLLER_PORT}`;
}
