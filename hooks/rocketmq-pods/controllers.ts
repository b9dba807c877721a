// How brokers reach RocketMQ's controllers: the names a Controller's children have that its users
// need, and the broker.conf keys that point a broker at them.
import { CONTROLLER_PORT } from './raft.js';

/** The Service in front of every controller of a Controller. */
export function clientServiceName(controller: string): string {
  return `${controller}-svc`;
}

/**
 * Governs a Controller's StatefulSet: gives each pod the DNS name its peers reach it by, and itself
 * resolves to every controller pod, ready or not.
 */
export function headlessServiceName(controller: string): string {
  return `${controller}-svc-headless`;
}

/**
 * Where a broker finds its controllers. A broker sends its heartbeats to every controller it knows
 * and only the leader's own view of them counts, so each controller must be named, never a Service
 * that picks one. `dnsLookup`: `address` is one `host:port` whose host resolves to every controller
 * (each resolved IP with that port); otherwise it is the list `host:port;host:port`.
 */
export interface ControllerAddress {
  address: string;
  dnsLookup: boolean;
}

/**
 * A Controller's address for brokers: its headless Service, resolved by the brokers to every pod.
 * It holds whatever the Controller's size and exists before the Controller does, so a resize or a
 * Controller created later restarts no broker; brokers look it up again every two minutes.
 */
export function controllerLookupAddress(controller: string, namespace: string): ControllerAddress {
  return { address: `${headlessServiceName(controller)}.${namespace}.svc:${CONTROLLER_PORT}`, dnsLookup: true };
}

/** A fixed list of controllers, `host:port;host:port`. */
export function controllerList(address: string): ControllerAddress {
  return { address, dnsLookup: false };
}

/** The broker.conf keys that give a broker its controllers. */
export function controllerAddressKeys({ address, dnsLookup }: ControllerAddress): Record<string, string> {
  return { controllerAddr: address, ...(dnsLookup ? { fetchControllerAddrByDnsLookup: 'true' } : {}) };
}

/** The controllers a rendered broker.conf (its parsed keys) gives its broker; undefined outside controller mode. */
export function controllerAddressOf(conf: Record<string, string | undefined>): ControllerAddress | undefined {
  if (conf.enableControllerMode !== 'true' || !conf.controllerAddr) return undefined;
  return { address: conf.controllerAddr, dnsLookup: conf.fetchControllerAddrByDnsLookup === 'true' };
}
