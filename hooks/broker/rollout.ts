// Restarts that keep the cluster serving: at most one broker pod is replaced at a time, group by
// group and replicas before their master (the master as RocketMQ reports it in failover modes), and
// the next only once the previous is Ready again.
import type { Observed, ObservedObjects } from '../core/metacontroller.js';
import { hasPendingRevision, isStatefulSetReady, isStatefulSetSettled } from '../k8s/readiness.js';
import type { BrokerMember } from './members.js';
import { statefulSetTemplateHash } from './render/pod.js';
import { type GroupRoles, isGroupMaster } from './roles.js';

export function observedStatefulSet(observed: ObservedObjects, member: BrokerMember): Observed<'StatefulSet.apps/v1'> | undefined {
  return observed.get('StatefulSet', 'apps/v1', member.statefulSet);
}

/** Observed brokers whose pod template is not the desired one, in roll order: group by group, each group's master last. */
export function brokerStatefulSetsToRoll(
  members: BrokerMember[],
  desiredHashes: Map<string, string>,
  observed: ObservedObjects,
  roles: GroupRoles,
): BrokerMember[] {
  const masterLast = (m: BrokerMember) => (isGroupMaster(roles, m) ? 1 : 0);
  return members
    .filter((member) => {
      const statefulSet = observedStatefulSet(observed, member);
      return statefulSet !== undefined && statefulSetTemplateHash(statefulSet) !== desiredHashes.get(member.statefulSet);
    })
    .sort((a, b) => a.group - b.group || masterLast(a) - masterLast(b) || a.brokerId - b.brokerId);
}

export type RolloutPlan =
  | { state: 'UpToDate'; toRoll: [] }
  /** spec.allowRestart is false: every broker to roll keeps its current template. */
  | { state: 'RestartHeld'; toRoll: BrokerMember[] }
  /** Another broker is not settled yet; none is restarted now. */
  | { state: 'Waiting'; toRoll: BrokerMember[]; waitingFor: BrokerMember }
  /**
   * A failover mode with no master of this group known: none of its Ready brokers restarts until one
   * is. `unreported`: the master is known, but Ready brokers of its group that could take its role
   * over have none reported yet (restarted replicas, until the observer sees them register).
   */
  | { state: 'AwaitingRoles'; toRoll: BrokerMember[]; group: number; unreported?: BrokerMember[] }
  /** CONTROLLER mode: the master's role moves to an in-sync replica (by Job `job`) before it restarts. */
  | { state: 'HandingOver'; toRoll: BrokerMember[]; from: BrokerMember; job: string; message: string }
  /**
   * `rolling` gets its new template in this reply; the rest keep theirs. `master` when it is its
   * group's master (then `handOver` says why it restarts as master, in CONTROLLER mode).
   */
  | { state: 'Rolling'; toRoll: BrokerMember[]; rolling: BrokerMember; master: boolean; handOver?: string };

/**
 * Picks the one broker to restart now. A broker that is down anyway goes first, since restarting it
 * costs nothing and may be what brings it back; otherwise the first in roll order. It restarts only
 * when every other broker is settled, or is itself down and waiting to roll (waiting for those would
 * never end). In a failover mode a Ready broker of a group whose master is not known waits: it may
 * be the master.
 */
export function planBrokerRollout(
  members: BrokerMember[],
  desiredHashes: Map<string, string>,
  observed: ObservedObjects,
  allowRestart: boolean,
  roles: GroupRoles,
): RolloutPlan {
  const toRoll = brokerStatefulSetsToRoll(members, desiredHashes, observed, roles);
  if (toRoll.length === 0) return { state: 'UpToDate', toRoll: [] };
  if (!allowRestart) return { state: 'RestartHeld', toRoll };
  const isDown = (m: BrokerMember) => !isStatefulSetReady(observedStatefulSet(observed, m));
  const candidate = toRoll.find(isDown) ?? toRoll[0];
  const waitingFor = members.find(
    (m) => m !== candidate && !isStatefulSetSettled(observedStatefulSet(observed, m)) && !(toRoll.includes(m) && isDown(m)),
  );
  if (waitingFor) return { state: 'Waiting', toRoll, waitingFor };
  if (roles.mode !== undefined && !isDown(candidate) && !roles.masters.has(candidate.group)) {
    return { state: 'AwaitingRoles', toRoll, group: candidate.group };
  }
  return { state: 'Rolling', toRoll, rolling: candidate, master: isGroupMaster(roles, candidate) };
}

/** Brokers that keep the template (and broker.conf) they run now. */
export function heldBrokers(plan: RolloutPlan): Set<string> {
  const rolling = plan.state === 'Rolling' ? plan.rolling : undefined;
  return new Set(plan.toRoll.filter((m) => m !== rolling).map((m) => m.statefulSet));
}

/** The pod being replaced: the one restarted in this reply, or one whose StatefulSet still moves it to a new revision. */
export function rollingPod(plan: RolloutPlan, members: BrokerMember[], observed: ObservedObjects): string | undefined {
  if (plan.state === 'Rolling') return plan.rolling.pod;
  if (plan.state === 'RestartHeld') return undefined;
  return members.find((m) => hasPendingRevision(observedStatefulSet(observed, m)))?.pod;
}
