// Which broker pod is its group's master. With fixed roles it is the `-master` pod; in a failover
// mode RocketMQ moves it at run time, and the <name>-roles observer writes what the name servers
// report onto each pod as an annotation, which is all the hooks know of it (they never call out).
import type { V1Pod } from '@kubernetes/client-node';
import type { FailoverMode } from './failover.js';
import type { BrokerMember } from './members.js';

/** On a broker pod in a failover mode: `master` or `replica` as the name servers report it; absent while unknown. */
export const ROLE_ANNOTATION = 'rocketmq.apache.org/role';
export type ObservedRole = 'master' | 'replica';

export function observedRole(pod: V1Pod | undefined): ObservedRole | undefined {
  const value = pod?.metadata?.annotations?.[ROLE_ANNOTATION];
  return value === 'master' || value === 'replica' ? value : undefined;
}

export interface GroupRoles {
  /** How masters are chosen; undefined when fixed by name. */
  mode?: FailoverMode;
  /** Each group's master now, by group; a group left out has no known master. */
  masters: Map<number, BrokerMember>;
}

/**
 * Each group's master: the brokerId 0 member when roles are fixed; in a failover mode the one pod
 * annotated `master`. Two pods so annotated (one of them stale) count as none known.
 */
export function groupRoles(members: BrokerMember[], podsByName: Map<string, V1Pod>, mode: FailoverMode | undefined): GroupRoles {
  const masters = new Map<number, BrokerMember>();
  const ambiguous = new Set<number>();
  for (const member of members) {
    const isMaster = mode === undefined ? member.brokerId === 0 : observedRole(podsByName.get(member.pod)) === 'master';
    if (!isMaster) continue;
    if (masters.has(member.group)) ambiguous.add(member.group);
    masters.set(member.group, member);
  }
  for (const group of ambiguous) masters.delete(group);
  return { mode, masters };
}

export const isGroupMaster = (roles: GroupRoles, member: BrokerMember) => roles.masters.get(member.group) === member;
