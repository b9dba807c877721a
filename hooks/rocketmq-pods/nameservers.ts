// Which name servers a Broker, Console or TopicTransfer talks to, found from the request alone so
// that any number of clusters in any namespaces stay independent.
import { ErrorCode, HookError, InvalidSpecError } from '../core/errors.js';
import { chooseDependency, dependencyRule } from './dependency.js';
import { CONTROLLER_PORT } from './raft.js';
import type { KubeObject, ObservedObjects, RelatedResourceRule } from '../core/metacontroller.js';

export const NAME_SERVER_PORT = 9876;

/** Stable DNS address of each name server pod, through the headless Service named after the NameService. */
export function nameServerAddresses(name: string, namespace: string, size: number): string[] {
  return Array.from({ length: size }, (_, i) => `${name}-${i}.${name}.${namespace}.svc:${NAME_SERVER_PORT}`);
}

/** Stable DNS address of the controller inside each name server pod (NameService spec.controller). */
export function embeddedControllerAddresses(name: string, namespace: string, size: number): string[] {
  return Array.from({ length: size }, (_, i) => `${name}-${i}.${name}.${namespace}.svc:${CONTROLLER_PORT}`);
}

/**
 * A StatefulSet adopted from the original operator has no serviceName, which cannot be changed, so
 * its pods have no DNS names under the headless Service. While that lasts, each name server is
 * reached through a Service of its own, `<name>-<i>`. The annotation on the NameService says so, to
 * the NameService hook (render those Services) and to every client's hook (use their addresses):
 * both read the same field the user (or `rocketmq-operator migrate`) sets, never a copy in status.
 *   in-use    the Services exist and clients are given their addresses;
 *   retiring  the Services still exist, clients are given the headless addresses again, so the
 *             clients not yet restarted keep working names until the annotation is removed.
 */
export const POD_SERVICES_ANNOTATION = 'rocketmq.apache.org/pod-services';
export type PodServicesMode = 'in-use' | 'retiring';
const POD_SERVICES_MODES: readonly string[] = ['in-use', 'retiring'] satisfies PodServicesMode[];

/** The annotation's value, or an error naming it and the values it may have. */
export function podServicesMode(nameService: string, annotations: Record<string, string> | undefined): PodServicesMode | undefined {
  const value = annotations?.[POD_SERVICES_ANNOTATION];
  if (value === undefined) return undefined;
  if (POD_SERVICES_MODES.includes(value)) return value as PodServicesMode;
  throw new InvalidSpecError('NameService', nameService, [
    `metadata.annotations["${POD_SERVICES_ANNOTATION}"] is ${JSON.stringify(value)}: use "in-use" or "retiring", or remove it`,
  ]);
}

/** The Service of one name server pod, for a StatefulSet whose pods have no DNS names. */
export function podServiceName(name: string, index: number): string {
  return `${name}-${index}`;
}

/** The addresses clients of a NameService are given: through its per-pod Services while they are in use. */
export function clientAddresses(name: string, namespace: string, size: number, mode: PodServicesMode | undefined): string[] {
  if (mode !== 'in-use') return nameServerAddresses(name, namespace, size);
  return Array.from({ length: size }, (_, i) => `${podServiceName(name, i)}.${namespace}.svc:${NAME_SERVER_PORT}`);
}

export interface NameServerChoice {
  nameServers?: string;
  nameServiceRef?: string;
}

export interface NameServerUser {
  kind: string;
  name: string;
  namespace: string;
  spec: NameServerChoice;
}

/** An empty or blank nameServers means "discover them", as in the original operator. */
function explicitList(spec: NameServerChoice): string | undefined {
  const list = spec.nameServers?.trim();
  return list ? list : undefined;
}

/** The customize rule that brings the NameServices discovery needs; none when the list is given. */
export function nameServiceRules(namespace: string, spec: NameServerChoice): RelatedResourceRule[] {
  if (explicitList(spec)) return [];
  return [dependencyRule({ resource: 'nameservices', namespace, ref: spec.nameServiceRef })];
}

/** The NameService CRD's bound on spec.size. */
const MAX_NAME_SERVERS = 32;

/** The NameService's spec.size, with the CRD's default when the object comes from a file that has none. */
function nameServiceSize(nameService: KubeObject): number {
  const size = (nameService.spec as { size?: unknown } | undefined)?.size ?? 1;
  if (typeof size === 'number' && Number.isInteger(size) && size >= 1 && size <= MAX_NAME_SERVERS) return size;
  const problem = `NameService ${nameService.metadata.name} has spec.size ${JSON.stringify(size)}, not a whole number from 1 to ${MAX_NAME_SERVERS}: fix it`;
  throw new HookError(422, ErrorCode.InvalidSpec, problem, [problem]);
}

/** Stable DNS addresses, which do not change when name server pods move, so brokers need no restart. */
function addressesOf(nameService: KubeObject): string {
  const { name, namespace = 'default', annotations } = nameService.metadata;
  return clientAddresses(name, namespace, nameServiceSize(nameService), podServicesMode(name, annotations)).join(';');
}

export interface NameServerList {
  /** "host:port;host:port". */
  addresses: string;
  /**
   * Every name server of the list runs and is Ready, as the NameService reports it (an explicit list
   * always is). While a NameService scales, the new name servers are not in service yet.
   */
  settled: boolean;
}

/** The NameService has brought every name server its spec asks for up, as its status says. */
function isSettled(nameService: KubeObject): boolean {
  const status = (nameService.status ?? {}) as { observedGeneration?: unknown; readyReplicas?: unknown; replicas?: unknown };
  const size = nameServiceSize(nameService);
  return (
    typeof status.observedGeneration === 'number' &&
    status.observedGeneration >= (nameService.metadata.generation ?? 0) &&
    status.readyReplicas === size &&
    status.replicas === size
  );
}

/**
 * spec.nameServers when set; else the NameService named by nameServiceRef; else the only NameService
 * in the namespace. Never an empty list: without name servers a broker or console cannot work, so a
 * missing dependency is an error that names what to create or set.
 */
export function resolveNameServers(user: NameServerUser, related: ObservedObjects): string {
  return findNameServers(user, related).addresses;
}

/** The NameService whose name servers a user takes: none when its spec lists them. */
export function chooseNameService(user: NameServerUser, related: ObservedObjects): KubeObject | undefined {
  if (explicitList(user.spec)) return undefined;
  return chooseDependency(related, {
    kind: 'NameService',
    resource: 'nameservices',
    owner: `${user.kind} ${user.namespace}/${user.name}`,
    namespace: user.namespace,
    refField: 'spec.nameServiceRef',
    ref: user.spec.nameServiceRef,
    whenNone: `has no name servers: create a NameService in namespace ${user.namespace}, or set spec.nameServiceRef or spec.nameServers ("host:9876;host:9876")`,
  });
}

/** resolveNameServers, and whether the NameService has every one of them in service. */
export function findNameServers(user: NameServerUser, related: ObservedObjects): NameServerList {
  const nameService = chooseNameService(user, related);
  if (!nameService) return { addresses: explicitList(user.spec)!, settled: true };
  return { addresses: addressesOf(nameService), settled: isSettled(nameService) };
}

/** The addresses of the controllers a NameService runs inside its name servers, when its spec enables them. */
export function embeddedControllersOf(nameService: KubeObject): string | undefined {
  const enabled = (nameService.spec as { controller?: { enabled?: unknown } } | undefined)?.controller?.enabled === true;
  if (!enabled) return undefined;
  const { name, namespace = 'default' } = nameService.metadata;
  return embeddedControllerAddresses(name, namespace, nameServiceSize(nameService)).join(';');
}
