// The brokers of a Broker: one StatefulSet with one pod per RocketMQ broker, named as the original
// operator named them so that existing pods and volumes are reused.

export type BrokerRole = 'MASTER' | 'SLAVE';

export interface BrokerMember {
  /** `<name>-<group>-master` or `<name>-<group>-replica-<r>`. */
  statefulSet: string;
  /** The StatefulSet's only pod. */
  pod: string;
  group: number;
  /** RocketMQ broker name shared by the group's master and replicas: `<name>-<group>`. */
  brokerName: string;
  /** 0 for the master, r for replica r. */
  brokerId: number;
  role: BrokerRole;
}

export interface GroupShape {
  size: number;
  replicaPerGroup: number;
}

export function brokerMember(name: string, group: number, brokerId: number): BrokerMember {
  const statefulSet = brokerId === 0 ? `${name}-${group}-master` : `${name}-${group}-replica-${brokerId}`;
  return {
    statefulSet,
    pod: `${statefulSet}-0`,
    group,
    brokerName: `${name}-${group}`,
    brokerId,
    role: brokerId === 0 ? 'MASTER' : 'SLAVE',
  };
}

/** What follows `<name>-` in a member's StatefulSet name. */
const MEMBER_SUFFIX = /^(0|[1-9]\d*)-(?:master|replica-([1-9]\d*))$/;

/** Group and broker id of a StatefulSet name this Broker renders, or undefined for any other name. */
export function parseMemberName(name: string, statefulSet: string): { group: number; brokerId: number } | undefined {
  if (statefulSet.length <= name.length + 1 || !statefulSet.startsWith(name) || statefulSet[name.length] !== '-') return undefined;
  const match = MEMBER_SUFFIX.exec(statefulSet.slice(name.length + 1));
  if (!match) return undefined;
  return { group: Number(match[1]), brokerId: match[2] ? Number(match[2]) : 0 };
}

/** Roll order: group by group, and in a group the replicas before their master. */
function rollOrder(a: BrokerMember, b: BrokerMember): number {
  const rank = (m: BrokerMember) => (m.brokerId === 0 ? Number.MAX_SAFE_INTEGER : m.brokerId);
  return a.group - b.group || rank(a) - rank(b);
}

/**
 * Every broker the Broker manages, in roll order: those its spec asks for plus any observed one
 * beyond them, since shrinking is refused and a StatefulSet left out of a reply would be deleted.
 */
export function brokerMembers(name: string, shape: GroupShape, observedStatefulSets: string[]): BrokerMember[] {
  const byName = new Map<string, BrokerMember>();
  for (let group = 0; group < shape.size; group++) {
    for (let brokerId = 0; brokerId <= shape.replicaPerGroup; brokerId++) {
      const member = brokerMember(name, group, brokerId);
      byName.set(member.statefulSet, member);
    }
  }
  for (const statefulSet of observedStatefulSets) {
    const parsed = parseMemberName(name, statefulSet);
    if (parsed && !byName.has(statefulSet)) byName.set(statefulSet, brokerMember(name, parsed.group, parsed.brokerId));
  }
  return [...byName.values()].sort(rollOrder);
}

/** Members that exist only because shrinking is refused. */
export function membersBeyondSpec(members: BrokerMember[], shape: GroupShape): BrokerMember[] {
  return members.filter((m) => m.group >= shape.size || m.brokerId > shape.replicaPerGroup);
}

/** Members by group, groups in ascending order. */
export function groupsOf(members: BrokerMember[]): BrokerMember[][] {
  const groups = new Map<number, BrokerMember[]>();
  for (const member of members) {
    const group = groups.get(member.group);
    if (group) group.push(member);
    else groups.set(member.group, [member]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((g) => groups.get(g)!);
}
