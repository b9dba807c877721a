// The brokers of a Broker: one StatefulSet with one pod per RocketMQ broker, named as the original
// operator named them so that existing pods and volumes are reused.
import { failoverMode } from './failover.js';

export type BrokerRole = 'MASTER' | 'SLAVE';

/**
 * How StatefulSets are named: `fixed` (roles by name, `<name>-<group>-master`,
 * `<name>-<group>-replica-<r>`) or `elected` (`<name>-<group>-<r>`, the failover modes).
 */
export type MemberNaming = 'fixed' | 'elected';

export interface BrokerMember {
  /** `<name>-<group>-master` or `<name>-<group>-replica-<r>`; `<name>-<group>-<r>` where the master is elected. */
  statefulSet: string;
  /** The StatefulSet's only pod. */
  pod: string;
  group: number;
  /** RocketMQ broker name shared by the group's master and replicas: `<name>-<group>`. */
  brokerName: string;
  /** The broker's place in its group, r: 0 for the master (or the first broker where it is elected). */
  brokerId: number;
  /** The fixed role, or undefined where RocketMQ elects the master at run time. */
  role: BrokerRole | undefined;
  /**
   * The directory of its logs and store in the data volume: `<name>-<group>-master` or
   * `<name>-<group>-replica-<r>` in every naming, as the original operator wrote them.
   */
  dataDir: string;
}

export interface GroupShape {
  size: number;
  replicaPerGroup: number;
}

type ModeFields = Partial<Parameters<typeof failoverMode>[0]>;

/** What decides the members: the group shape and how masters are chosen (fixed roles when unset). */
export type MemberShape = GroupShape & ModeFields;

export function memberNaming({ clusterMode = 'STATIC', replicationMode }: ModeFields): MemberNaming {
  return failoverMode({ clusterMode, replicationMode }) === undefined ? 'fixed' : 'elected';
}

function fixedName(name: string, group: number, brokerId: number): string {
  return brokerId === 0 ? `${name}-${group}-master` : `${name}-${group}-replica-${brokerId}`;
}

export function brokerMember(name: string, group: number, brokerId: number, naming: MemberNaming = 'fixed'): BrokerMember {
  const dataDir = fixedName(name, group, brokerId);
  const statefulSet = naming === 'fixed' ? dataDir : `${name}-${group}-${brokerId}`;
  return {
    statefulSet,
    pod: `${statefulSet}-0`,
    group,
    brokerName: `${name}-${group}`,
    brokerId,
    role: naming === 'elected' ? undefined : brokerId === 0 ? 'MASTER' : 'SLAVE',
    dataDir,
  };
}

/** What follows `<name>-` in a member's StatefulSet name, by naming. */
const MEMBER_SUFFIX: Record<MemberNaming, RegExp> = {
  fixed: /^(0|[1-9]\d*)-(?:master|replica-([1-9]\d*))$/,
  elected: /^(0|[1-9]\d*)-(0|[1-9]\d*)$/,
};

/** Group and broker id of a StatefulSet name this Broker renders in `naming`, or undefined for any other name. */
export function parseMemberName(
  name: string,
  statefulSet: string,
  naming: MemberNaming = 'fixed',
): { group: number; brokerId: number } | undefined {
  if (statefulSet.length <= name.length + 1 || !statefulSet.startsWith(name) || statefulSet[name.length] !== '-') return undefined;
  const match = MEMBER_SUFFIX[naming].exec(statefulSet.slice(name.length + 1));
  if (!match) return undefined;
  return { group: Number(match[1]), brokerId: match[2] ? Number(match[2]) : 0 };
}

/** Observed StatefulSets named as the other naming names brokers: made before a mode change. */
export function membersOfOtherNaming(name: string, naming: MemberNaming, observedStatefulSets: string[]): string[] {
  const other: MemberNaming = naming === 'fixed' ? 'elected' : 'fixed';
  return observedStatefulSets.filter((s) => parseMemberName(name, s, other) !== undefined);
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
export function brokerMembers(name: string, shape: MemberShape, observedStatefulSets: string[]): BrokerMember[] {
  const naming = memberNaming(shape);
  const byName = new Map<string, BrokerMember>();
  for (let group = 0; group < shape.size; group++) {
    for (let brokerId = 0; brokerId <= shape.replicaPerGroup; brokerId++) {
      const member = brokerMember(name, group, brokerId, naming);
      byName.set(member.statefulSet, member);
    }
  }
  for (const statefulSet of observedStatefulSets) {
    const parsed = parseMemberName(name, statefulSet, naming);
    if (parsed && !byName.has(statefulSet)) byName.set(statefulSet, brokerMember(name, parsed.group, parsed.brokerId, naming));
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
