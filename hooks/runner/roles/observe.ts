// The observer's rounds: ask the name servers which broker of the cluster is master, and bring the
// role annotation of each broker pod in line with that, writing only what changed. Brokers register
// with brokerIP1 = their pod IP, so a registered address names its pod by host.
import { ROLE_ANNOTATION, type ObservedRole } from '../../broker/roles.js';
import type { ClusterInfo } from '../../rocketmq/types.js';

export interface BrokerPod {
  name: string;
  ip?: string;
  /** The annotation the pod carries now. */
  role?: ObservedRole;
}

export interface RoleChange {
  pod: string;
  /** undefined: the annotation is removed (the pod is not registered). */
  role?: ObservedRole;
  before?: ObservedRole;
}

/** "10.0.0.7:10911" → "10.0.0.7"; "[fd00::7]:10911" → "fd00::7". */
export function hostOf(address: string): string {
  const host = address.slice(0, Math.max(0, address.lastIndexOf(':'))) || address;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Role of each registered broker host of the cluster: brokerId 0 is the master (in controller and
 * DLedger modes too, whichever broker holds the role registers as 0). Undefined when the name
 * servers know nothing of the cluster: a name server that just started empty is no evidence that
 * the brokers are gone.
 */
export function rolesByHost(info: ClusterInfo, clusterName: string): Map<string, ObservedRole> | undefined {
  const brokerNames = info.clusters.get(clusterName);
  if (!brokerNames) return undefined;
  const roles = new Map<string, ObservedRole>();
  for (const brokerName of brokerNames) {
    for (const [brokerId, address] of info.brokers.get(brokerName)?.brokerAddrs ?? []) {
      roles.set(hostOf(address), brokerId === 0 ? 'master' : 'replica');
    }
  }
  return roles;
}

/** The annotations to write: a pod whose IP is registered gets its role, any other pod loses the annotation. */
export function roleChanges(roles: Map<string, ObservedRole>, pods: BrokerPod[]): RoleChange[] {
  return pods.flatMap((pod) => {
    const role = pod.ip === undefined ? undefined : roles.get(pod.ip);
    return role === pod.role ? [] : [{ pod: pod.name, ...(role ? { role } : {}), ...(pod.role ? { before: pod.role } : {}) }];
  });
}

export interface ObserverDeps {
  clusterInfo(): Promise<ClusterInfo>;
  listPods(): Promise<BrokerPod[]>;
  annotate(change: RoleChange): Promise<void>;
  log(line: string): void;
}

/** One round; returns the changes written. Nothing is written when the name servers do not answer. */
export async function observeRound(deps: ObserverDeps, clusterName: string): Promise<RoleChange[]> {
  const roles = rolesByHost(await deps.clusterInfo(), clusterName);
  if (!roles) throw new Error(`cluster ${clusterName} is not registered on the name servers; leaving ${ROLE_ANNOTATION} as it is`);
  const changes = roleChanges(roles, await deps.listPods());
  for (const change of changes) {
    await deps.annotate(change);
    deps.log(`${change.pod}: ${change.before ?? 'unknown'} -> ${change.role ?? 'unknown (not registered)'}`);
  }
  return changes;
}
