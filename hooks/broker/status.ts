import type { V1Pod } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
import type { ObservedObjects } from '../core/metacontroller.js';
import type { Reason } from '../core/reasons.js';
import { type Condition, withTransitionTimes } from '../k8s/conditions.js';
import type { BrokerSpec, BrokerStatus } from '../schema/types.js';
import { type BrokerMember, groupsOf } from './members.js';
import { ACCESS_KEY, aclSecretOf, SECRET_KEY } from '../rocketmq-pods/acl.js';
import { clusterNameOf } from '../rocketmq-pods/cluster.js';
import { podTemplateHash } from './render/pod.js';
import type { CopyMark, MetadataCopy } from './metadata-copy.js';
import type { NameServerUpdate } from './name-server-update.js';
import { isPodReady, isStatefulSetReady, isStatefulSetSettled } from '../k8s/readiness.js';
import { observedStatefulSet, type RolloutPlan } from './rollout.js';
import { type GroupRoles, observedRole } from './roles.js';

type GroupStatus = NonNullable<BrokerStatus['groups']>[number];

export interface BrokerStatusInput {
  /** The Broker's name. */
  name: string;
  spec: BrokerSpec;
  previous?: BrokerStatus;
  members: BrokerMember[];
  beyondSpec: BrokerMember[];
  desiredHashes: Map<string, string>;
  observed: ObservedObjects;
  pods: V1Pod[];
  nameServers: string;
  plan: RolloutPlan;
  rollingPod?: string;
  /** The same pods by name. */
  podsByName: Map<string, V1Pod>;
  /** Each group's master: fixed by name, or as the role observer reports it. */
  roles: GroupRoles;
  /** Metadata copy state of new groups. */
  copies: Map<number, MetadataCopy>;
  /** The metadata-copy mark of each master, by StatefulSet name. */
  copyMarks: Map<string, CopyMark>;
  /** Whether running brokers hold the name-server list; undefined when nothing was sent. */
  nameServerUpdate?: NameServerUpdate;
  /** Claims still smaller than the spec asks, if any. */
  storageResize?: Condition<Reason>;
  /** Why brokers in controller mode may find no controllers: the Controller they name does not exist. */
  missingController?: string;
}

function listed(members: BrokerMember[], what: (m: BrokerMember) => string = (m) => m.pod): string {
  const names = members.map(what);
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`;
}

/** MASTER or SLAVE: by name with fixed roles, else as reported (none while the pod is not registered). */
function podRole(member: BrokerMember, pod: V1Pod | undefined, roles: GroupRoles): BrokerMember['role'] | undefined {
  if (roles.mode === undefined) return member.role;
  const role = observedRole(pod);
  return role === undefined ? undefined : role === 'master' ? 'MASTER' : 'SLAVE';
}

function groupStatus(members: BrokerMember[], input: BrokerStatusInput): GroupStatus {
  const { observed, podsByName, desiredHashes, copies, roles } = input;
  const { group, brokerName } = members[0];
  const copy = copies.get(group);
  const master = roles.masters.get(group);
  const pods = [...members]
    .sort((a, b) => a.brokerId - b.brokerId)
    .map((m) => {
      const pod = podsByName.get(m.pod);
      const role = podRole(m, pod, roles);
      return merged({ name: m.pod }, role ? { role } : undefined, {
        brokerId: m.brokerId,
        ready: isPodReady(pod),
        upToDate: pod !== undefined && podTemplateHash(pod) === desiredHashes.get(m.statefulSet),
      });
    });
  return merged(
    { group, brokerName, ready: members.every((m) => isStatefulSetReady(observedStatefulSet(observed, m))) },
    master ? { master: master.pod } : undefined,
    copy ? { metadataCopy: copy } : undefined,
    { pods },
  );
}

function progressing(input: BrokerStatusInput): Condition<Reason> {
  const { plan, members, observed } = input;
  const type = 'Progressing';
  switch (plan.state) {
    case 'RestartHeld':
      return {
        type,
        status: 'False',
        reason: 'RestartHeld',
        message: `${listed(plan.toRoll)} must restart to apply the Broker's changes, but spec.allowRestart is false; set it to true to restart them one at a time`,
      };
    case 'Rolling':
      return {
        type,
        status: 'True',
        reason: 'RollingUpdate',
        message:
          `restarting ${plan.rolling.pod}${plan.master ? `, master of group ${plan.rolling.group},` : ''} to apply the Broker's changes` +
          `${plan.handOver ? ` (${plan.handOver})` : ''}; ${plan.toRoll.length - 1} more after it`,
      };
    case 'AwaitingRoles':
      return {
        type,
        status: 'True',
        reason: 'RollingUpdate',
        message: plan.unreported
          ? `waiting for the name servers to report the role of ${listed(plan.unreported)} (written on its pods by the ` +
            `${input.name}-roles observer) before handing the master role of group ${plan.group} over and restarting its master`
          : `waiting for the name servers to report the master of group ${plan.group} (written on its pods by the ` +
            `${input.name}-roles observer) before restarting ${listed(plan.toRoll)}, so that its master restarts last`,
      };
    case 'HandingOver':
      return { type, status: 'True', reason: 'HandingOver', message: `${plan.message}, before restarting ${plan.from.pod}` };
    case 'Waiting':
      return {
        type,
        status: 'True',
        reason: 'RollingUpdate',
        message: `waiting for ${plan.waitingFor.pod} to be Ready before restarting ${listed(plan.toRoll)}`,
      };
    case 'UpToDate':
      break;
  }
  if (input.rollingPod)
    return { type, status: 'True', reason: 'RollingUpdate', message: `waiting for ${input.rollingPod} to be Ready with its new template` };
  const missing = members.filter((m) => !observedStatefulSet(observed, m));
  if (missing.length > 0) return { type, status: 'True', reason: 'Creating', message: `creating ${listed(missing, (m) => m.statefulSet)}` };
  const unsettled = members.filter((m) => !isStatefulSetSettled(observedStatefulSet(observed, m)));
  if (unsettled.length > 0)
    return { type, status: 'True', reason: 'PodsStarting', message: `waiting for ${listed(unsettled)} to be Ready` };
  const update = input.nameServerUpdate;
  if (update && update.phase !== 'Applied') {
    const count = (update.nameServers ?? '').split(';').filter(Boolean).length;
    return { type, status: 'True', reason: 'NameServerUpdate', message: `a new list of ${count} name servers: ${update.message}` };
  }
  return { type, status: 'False', reason: 'UpToDate', message: 'every broker pod runs the current spec' };
}

function degraded({ beyondSpec, members, spec, nameServerUpdate }: BrokerStatusInput): Condition<Reason> {
  if (beyondSpec.length === 0 && nameServerUpdate?.phase === 'Failed') {
    return {
      type: 'Degraded',
      status: 'True',
      reason: 'NameServerUpdateFailed',
      message: `running brokers may not hold the new name-server list (status.nameServers) yet: ${nameServerUpdate.message}`,
    };
  }
  if (beyondSpec.length === 0)
    return { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'every broker the spec asks for is managed' };
  const groups = Math.max(...members.map((m) => m.group)) + 1;
  const replicas = Math.max(...members.map((m) => m.brokerId));
  return {
    type: 'Degraded',
    status: 'True',
    reason: 'ScaleDownRefused',
    message:
      `spec asks for ${spec.size} groups of 1 master and ${spec.replicaPerGroup} replicas, but ${listed(beyondSpec, (m) => m.statefulSet)} also exist; ` +
      `removing brokers would drop the messages they hold, so they keep running and stay managed. ` +
      `Set spec.size back to ${groups} and spec.replicaPerGroup to ${replicas}, or move their topics to other groups (TopicTransfer) and then delete those StatefulSets and their volumes yourself`,
  };
}

/**
 * Groups whose brokers all exist and that hold the cluster's metadata (a new group counts once its
 * copy is done). Derived from the observed children alone, so a stale status never moves it back.
 */
function groupsInService({ members, observed, copyMarks }: BrokerStatusInput): number {
  return groupsOf(members).filter((group) =>
    group.every((m) => observedStatefulSet(observed, m) !== undefined && copyMarks.get(m.statefulSet) !== 'pending'),
  ).length;
}

/** Longest kubelet message quoted per pod, so status stays small. */
const MAX_KUBELET_MESSAGE = 300;

/**
 * What keeps broker pods from starting because a Secret or ConfigMap they read (or a key in one) is
 * missing, in the kubelet's words, which name the object and key but hold no value.
 */
function podConfigErrors({ pods, spec }: BrokerStatusInput): string | undefined {
  const errors = pods.flatMap((pod) =>
    (pod.status?.containerStatuses ?? [])
      .filter((c) => c.state?.waiting?.reason === 'CreateContainerConfigError')
      .map(
        (c) =>
          `${pod.metadata?.name} cannot start: ${(c.state?.waiting?.message ?? 'a Secret or ConfigMap it reads is missing').slice(0, MAX_KUBELET_MESSAGE)}`,
      ),
  );
  if (errors.length === 0) return undefined;
  const listedErrors = errors.length <= 4 ? errors : [...errors.slice(0, 4), `${errors.length - 4} more`];
  const secret = aclSecretOf(spec.acl);
  const fix = secret ? `; create Secret ${secret} (spec.acl.adminSecret) with keys ${ACCESS_KEY} and ${SECRET_KEY}` : '';
  return `${listedErrors.join('; ')}${fix}`;
}

export function brokerStatus(input: BrokerStatusInput, now: Date): BrokerStatus {
  const { members, observed, pods, previous, nameServers } = input;
  const groups = groupsOf(members).map((g) => groupStatus(g, input));
  const readyPods = members.filter((m) => isStatefulSetReady(observedStatefulSet(observed, m))).length;
  const allReady = members.length > 0 && readyPods === members.length;
  const podNames = pods.map((p) => p.metadata?.name ?? '').sort();
  const refusal = degraded(input);
  const podsReady = `${readyPods}/${members.length} broker pods ready`;
  const configErrors = allReady ? undefined : podConfigErrors(input);
  // kubectl get shows the Ready reason: a refused spec change is named there, not only in Degraded.
  const ready: Condition<Reason> =
    refusal.status === 'True'
      ? { type: 'Ready', status: allReady ? 'True' : 'False', reason: refusal.reason, message: `${podsReady}; ${refusal.message}` }
      : allReady
        ? { type: 'Ready', status: 'True', reason: 'AllBrokersReady', message: podsReady }
        : configErrors
          ? { type: 'Ready', status: 'False', reason: 'PodConfigError', message: `${podsReady}; ${configErrors}` }
          : { type: 'Ready', status: 'False', reason: 'BrokersNotReady', message: podsReady };
  // Brokers without controllers never become master, however their pods look.
  const readyNow: Condition<Reason> =
    input.missingController && refusal.status !== 'True'
      ? { type: 'Ready', status: 'False', reason: 'ControllerNotFound', message: `${podsReady}; ${input.missingController}` }
      : ready;
  const conditions: Condition<Reason>[] = [readyNow, progressing(input), refusal, ...(input.storageResize ? [input.storageResize] : [])];
  return merged(
    { size: groupsInService(input), nodes: podNames, groups, nameServers },
    input.nameServerUpdate ? { nameServerUpdate: input.nameServerUpdate } : undefined,
    {
      clusterName: clusterNameOf(input.name, input.spec),
      masters: `${groups.filter((g) => g.master !== undefined).length}/${groups.length}`,
    },
    input.rollingPod ? { rollingPod: input.rollingPod } : undefined,
    { conditions: withTransitionTimes(conditions, previous?.conditions, now) },
  );
}
