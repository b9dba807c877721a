// Before a controller-mode master restarts, its role goes to an in-sync replica: a runner Job asks
// the controller leader to elect one of the group's Ready replicas (the controller refuses any not
// in the sync state set), then waits for the group's replicas to be in sync with the new master, up
// to one name-server registration period of the brokers (after which each replica has registered
// and knows where the new master is). The roll goes on once the observer reports the old master as
// a replica, which makes it an ordinary replica to restart. If no replica is Ready, the Job fails,
// or the roles are not reported in time, the master restarts as it is and RocketMQ fails over.
//
// What the hand-over must remember is its Job, named after the rollout's template, so the same
// rollout finds it again; once the master has restarted the Job is no longer rendered, and goes.
import type { V1Pod } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
import type { KubeObject, ObservedObjects } from '../core/metacontroller.js';
import { renderRunnerJob } from '../jobs/runner-job.js';
import { commonLabels } from '../k8s/labels.js';
import { isPodReady, jobOutcome } from '../k8s/readiness.js';
import { parseConfigLines } from '../rocketmq/properties.js';
import { credentialEnv } from '../rocketmq-pods/acl.js';
import type { ControllerAddress } from '../rocketmq-pods/controllers.js';
import type { BrokerMember } from './members.js';
import { observedRole } from './roles.js';
import type { RolloutPlan } from './rollout.js';

export const HAND_OVER_LABEL = 'rocketmq.apache.org/hand-over';
/** How often a hand-over in progress is looked at again. */
export const HAND_OVER_RESYNC_SECONDS = 5;
/** After the Job succeeded, how long the observer has to report the new master before the old one restarts anyway. */
export const ROLE_REPORT_GRACE_SECONDS = 60;

/** registerNameServerPeriod as a broker takes it: 30 s unless set, held between 10 and 60 s. */
const REGISTRATION_PERIOD_MS = { unset: 30_000, min: 10_000, max: 60_000 };
/** Beyond one registration period: the registration's round trip and the replica's catch-up. */
const SETTLE_MARGIN_SECONDS = 10;

/** How long the hand-over Job waits for the replicas, from the broker.conf the group runs. */
export function handOverSettleSeconds(conf: string | undefined): number {
  const set = Number(parseConfigLines(conf ?? '').registerNameServerPeriod);
  const period = Number.isFinite(set) && set > 0 ? set : REGISTRATION_PERIOD_MS.unset;
  const clamped = Math.min(REGISTRATION_PERIOD_MS.max, Math.max(REGISTRATION_PERIOD_MS.min, period));
  return Math.ceil(clamped / 1000) + SETTLE_MARGIN_SECONDS;
}

export const handOverJobName = (name: string, group: number, templateHash: string) =>
  `${name}-${group}-hand-over-${templateHash.slice(0, 8)}`;

export interface HandOverInput {
  name: string;
  namespace: string;
  clusterName: string;
  plan: RolloutPlan;
  /** Whether RocketMQ's controller chooses masters (CONTROLLER mode). */
  controllerMode: boolean;
  /** The controllers as the brokers are given them (controllerAddr). */
  controllers?: ControllerAddress;
  members: BrokerMember[];
  podsByName: Map<string, V1Pod>;
  desiredHashes: Map<string, string>;
  /** The broker.conf a broker (by StatefulSet) should run. */
  desiredConf: (statefulSet: string) => string | undefined;
  observed: ObservedObjects;
  runnerImage: string;
  adminSecret?: string;
  now: Date;
}

export interface HandOverPlan {
  plan: RolloutPlan;
  jobs: KubeObject[];
  resyncAfterSeconds?: number;
}

function successors({ members, podsByName }: HandOverInput, from: BrokerMember): { member: BrokerMember; ip: string }[] {
  return members.flatMap((member) => {
    const pod = podsByName.get(member.pod);
    const ip = pod?.status?.podIP;
    const eligible = member.group === from.group && member !== from && isPodReady(pod) && observedRole(pod) === 'replica';
    return eligible && ip ? [{ member, ip }] : [];
  });
}

/** Ready brokers of the group whose role is not reported yet: any of them may be an in-sync replica. */
function unreported({ members, podsByName }: HandOverInput, from: BrokerMember): BrokerMember[] {
  return members.filter((member) => {
    const pod = podsByName.get(member.pod);
    return member.group === from.group && member !== from && isPodReady(pod) && observedRole(pod) === undefined;
  });
}

export function planHandOver(input: HandOverInput): HandOverPlan {
  const { plan, name, namespace, observed, now } = input;
  if (plan.state !== 'Rolling' || !plan.master || !input.controllerMode) return { plan, jobs: [] };
  const from = plan.rolling;
  const restartAnyway = (why: string): HandOverPlan => ({
    plan: { ...plan, handOver: `${why}; restarting ${from.pod} as master` },
    jobs: [],
  });
  const jobName = handOverJobName(name, from.group, input.desiredHashes.get(from.statefulSet) ?? '');
  const existing = observed.get('Job', 'batch/v1', jobName);
  const fromIp = input.podsByName.get(from.pod)?.status?.podIP;
  const to = successors(input, from);
  const waitingFor = to.length === 0 && !existing ? unreported(input, from) : [];
  if (waitingFor.length > 0) {
    // A replica just restarted registers within seconds; restarting the master before then would
    // give up the hand-over.
    return {
      plan: { state: 'AwaitingRoles', toRoll: plan.toRoll, group: from.group, unreported: waitingFor },
      jobs: [],
      resyncAfterSeconds: HAND_OVER_RESYNC_SECONDS,
    };
  }
  if (!existing && to.length === 0) return restartAnyway('no other broker of the group is Ready as a replica');
  if (!existing && !input.controllers) return restartAnyway('the broker.conf names no controllers (controllerAddr)');
  if (!existing && !fromIp) return restartAnyway(`${from.pod} has no pod IP`);
  const settleSeconds = handOverSettleSeconds(input.desiredConf(from.statefulSet));
  const job = renderRunnerJob({
    name: jobName,
    namespace,
    labels: merged(commonLabels('broker', name), { [HAND_OVER_LABEL]: name }),
    image: input.runnerImage,
    command: {
      task: 'hand-over',
      ...(input.controllers?.dnsLookup ? { controllersByDns: input.controllers.address } : { controllers: input.controllers?.address }),
      clusterName: input.clusterName,
      brokerName: from.brokerName,
      fromHost: fromIp ?? '',
      toHosts: to.map((t) => t.ip),
      settleSeconds,
    },
    env: input.adminSecret === undefined ? undefined : credentialEnv(input.adminSecret),
    // A controller election that failed for a passing reason gets one more try.
    backoffLimit: 1,
    observed: existing,
  });
  const handingOver = (message: string): HandOverPlan => ({
    plan: { state: 'HandingOver', toRoll: plan.toRoll, from, job: jobName, message },
    jobs: [job],
    resyncAfterSeconds: HAND_OVER_RESYNC_SECONDS,
  });
  const outcome = jobOutcome(existing);
  if (outcome.state === 'Failed')
    return { ...restartAnyway(`Job ${jobName} could not hand the master role over: ${outcome.message}`), jobs: [job] };
  if (outcome.state === 'Running') {
    const candidates = to.map((t) => t.member.pod).join(' or ') || 'a replica';
    return handingOver(
      `Job ${jobName} asks the controller to make ${candidates} master, then waits up to ${settleSeconds} s for the replicas to be in sync`,
    );
  }
  const finished = Date.parse(String(existing?.status?.completionTime ?? ''));
  const waited = Number.isNaN(finished) ? 0 : (now.getTime() - finished) / 1000;
  if (waited < ROLE_REPORT_GRACE_SECONDS)
    return handingOver(`Job ${jobName} handed the master role over; waiting for the name servers to report ${from.pod} as a replica`);
  return {
    ...restartAnyway(`${from.pod} is still reported master ${ROLE_REPORT_GRACE_SECONDS} s after Job ${jobName} handed the role over`),
    jobs: [job],
  };
}
