// Restarts that keep the cluster serving: at most one broker pod is replaced at a time, group by
// group and replicas before their master, and the next only once the previous is Ready again.
import type { Observed, ObservedObjects } from '../core/metacontroller.js';
import { hasPendingRevision, isStatefulSetReady, isStatefulSetSettled } from '../k8s/readiness.js';
import type { BrokerMember } from './members.js';
import { statefulSetTemplateHash } from './render/pod.js';

export function observedStatefulSet(observed: ObservedObjects, member: BrokerMember): Observed<'StatefulSet.apps/v1'> | undefined {
  return observed.get('StatefulSet', 'apps/v1', member.statefulSet);
}

/** Observed brokers whose pod template is not the desired one, in roll order. */
export function brokerStatefulSetsToRoll(
  members: BrokerMember[],
  desiredHashes: Map<string, string>,
  observed: ObservedObjects,
): BrokerMember[] {
  return members.filter((member) => {
    const statefulSet = observedStatefulSet(observed, member);
    return statefulSet !== undefined && statefulSetTemplateHash(statefulSet) !== desiredHashes.get(member.statefulSet);
  });
}

export type RolloutPlan =
  | { state: 'UpToDate'; toRoll: [] }
  /** spec.allowRestart is false: every broker to roll keeps its current template. */
  | { state: 'RestartHeld'; toRoll: BrokerMember[] }
  /** Another broker is not settled yet; none is restarted now. */
  | { state: 'Waiting'; toRoll: BrokerMember[]; waitingFor: BrokerMember }
  /** `rolling` gets its new template in this reply; the rest keep theirs. */
  | { state: 'Rolling'; toRoll: BrokerMember[]; rolling: BrokerMember };

/**
 * Picks the one broker to restart now. A broker that is down anyway goes first, since restarting it
 * costs nothing and may be what brings it back; otherwise the first in roll order. It restarts only
 * when every other broker is settled, or is itself down and waiting to roll (waiting for those would
 * never end).
 */
export function planBrokerRollout(
  members: BrokerMember[],
  desiredHashes: Map<string, string>,
  observed: ObservedObjects,
  allowRestart: boolean,
): RolloutPlan {
  const toRoll = brokerStatefulSetsToRoll(members, desiredHashes, observed);
  if (toRoll.length === 0) return { state: 'UpToDate', toRoll: [] };
  if (!allowRestart) return { state: 'RestartHeld', toRoll };
  const isDown = (m: BrokerMember) => !isStatefulSetReady(observedStatefulSet(observed, m));
  const candidate = toRoll.find(isDown) ?? toRoll[0];
  const waitingFor = members.find(
    (m) => m !== candidate && !isStatefulSetSettled(observedStatefulSet(observed, m)) && !(toRoll.includes(m) && isDown(m)),
  );
  return waitingFor ? { state: 'Waiting', toRoll, waitingFor } : { state: 'Rolling', toRoll, rolling: candidate };
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
